import { createRoute } from '../../http/create-route'
import { requireAdmin } from '../../http/middleware/auth'
import { adminErrors, json, jsonBody, problem } from '../../http/openapi-schemas'
import { pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { AdminRackOrderQuery, RackOrderSchema, RackOrderStatusUpdate } from './rack-orders.schemas'

const admin = {
  tags: ['Admin: rack orders'],
  security: [{ bearer: [] }],
  middleware: requireAdmin(),
}

export const list = createRoute({
  method: 'get',
  path: '/api/admin/rack-orders',
  ...admin,
  summary: 'All rack orders, newest first',
  request: { query: AdminRackOrderQuery },
  responses: {
    200: json(pageOf(RackOrderSchema), 'A page of orders, each with its lines'),
    400: problem('Invalid paging or filter'),
    ...adminErrors,
  },
})

export const get = createRoute({
  method: 'get',
  path: '/api/admin/rack-orders/{id}',
  ...admin,
  summary: 'One rack order, anyone’s',
  request: { params: IdParams },
  responses: {
    200: json(RackOrderSchema, 'The order'),
    400: problem('Invalid id'),
    404: problem('No such order'),
    ...adminErrors,
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/rack-orders/{id}',
  ...admin,
  summary: "Move an order on: pending -> paid -> fulfilled, or cancel it (stock goes back)",
  request: { params: IdParams, body: jsonBody(RackOrderStatusUpdate) },
  responses: {
    200: json(RackOrderSchema, 'The order with its new status'),
    400: problem('Invalid fields'),
    404: problem('No such order'),
    409: problem('The change is not an allowed transition'),
    ...adminErrors,
  },
})
