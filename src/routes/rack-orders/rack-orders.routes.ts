import { createRoute } from '../../http/create-route'
import { requireUser } from '../../http/middleware/auth'
import { IdempotencyHeaders, json, jsonBody, problem, userErrors } from '../../http/openapi-schemas'
import { IdParams } from '../../http/params'
import { pageResponses, rowResponses } from '../../http/route-shapes'
import { RackOrderCreate, RackOrderQuery, RackOrderSchema } from './rack-orders.schemas'

const user = {
  tags: ['Rack orders'],
  security: [{ bearer: [] }],
  middleware: requireUser(),
}
const missing = 'No such order for this caller'

export const create = createRoute({
  method: 'post',
  path: '/api/rack-orders',
  ...user,
  summary: 'Buy merchandise from the shop rack: a pending order holding its stock',
  request: { headers: IdempotencyHeaders, body: jsonBody(RackOrderCreate) },
  responses: {
    201: json(RackOrderSchema, 'The order, `pending`; its stock has been taken'),
    400: problem('Invalid fields, or an item that is not merchandise on sale'),
    409: problem('Not enough stock of an item (nothing was bought), or a retry still running'),
    422: problem('The Idempotency-Key was used with another body'),
    ...userErrors,
  },
})

export const list = createRoute({
  method: 'get',
  path: '/api/rack-orders',
  ...user,
  summary: 'The caller’s own orders, newest first',
  request: { query: RackOrderQuery },
  responses: { ...pageResponses(RackOrderSchema, 'A page of orders'), ...userErrors },
})

export const get = createRoute({
  method: 'get',
  path: '/api/rack-orders/{id}',
  ...user,
  summary: 'One order (its owner’s or, for an admin, anyone’s)',
  request: { params: IdParams },
  responses: { ...rowResponses(RackOrderSchema, 'The order', missing), ...userErrors },
})

export const cancel = createRoute({
  method: 'post',
  path: '/api/rack-orders/{id}/cancel',
  ...user,
  summary:
    'Cancel an order and return its items to stock (repeating it is harmless); a buyer may ' +
    'cancel a pending order, an admin a pending or paid one',
  request: { params: IdParams },
  responses: {
    ...rowResponses(RackOrderSchema, 'The cancelled order', missing),
    409: problem('The order is fulfilled, or paid and the caller is not an admin'),
    ...userErrors,
  },
})
