import { createRoute } from '../../http/create-route'
import { etag } from '../../http/middleware/etag'
import { cachedResponse } from '../../http/middleware/response-cache'
import { requireAdmin } from '../../http/middleware/auth'
import { adminErrors, json, jsonBody, notModified, problem } from '../../http/openapi-schemas'
import { pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { ItemCreate, ItemQuery, ItemSchema, ItemUpdate } from './items.schemas'

/** Public reads are cached per query string; the admin writes invalidate them. */
export const CACHE_NAMESPACE = 'items'

const tags = ['Items']
const admin = { tags: ['Admin: items'], security: [{ bearer: [] }], middleware: requireAdmin() }

export const list = createRoute({
  method: 'get',
  path: '/api/items',
  tags,
  summary: 'Active items (rentals and merchandise)',
  middleware: [etag(), cachedResponse(CACHE_NAMESPACE)] as const,
  request: { query: ItemQuery },
  responses: {
    200: json(pageOf(ItemSchema), 'A page of active items'),
    ...notModified,
    400: problem('Invalid paging or filter'),
  },
})

export const get = createRoute({
  method: 'get',
  path: '/api/items/{id}',
  tags,
  summary: 'One active item',
  middleware: [etag(), cachedResponse(CACHE_NAMESPACE)] as const,
  request: { params: IdParams },
  responses: {
    200: json(ItemSchema, 'The item'),
    ...notModified,
    400: problem('Invalid id'),
    404: problem('No such active item'),
  },
})

export const adminList = createRoute({
  method: 'get',
  path: '/api/admin/items',
  ...admin,
  summary: 'All items, inactive ones too',
  request: { query: ItemQuery },
  responses: {
    200: json(pageOf(ItemSchema), 'A page of items'),
    400: problem('Invalid paging or filter'),
    ...adminErrors,
  },
})

export const create = createRoute({
  method: 'post',
  path: '/api/admin/items',
  ...admin,
  summary: 'Create an item',
  request: { body: jsonBody(ItemCreate) },
  responses: { 201: json(ItemSchema, 'Created'), 400: problem('Invalid fields'), ...adminErrors },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/items/{id}',
  ...admin,
  summary: 'Change an item (price, stock, activity...)',
  request: { params: IdParams, body: jsonBody(ItemUpdate) },
  responses: {
    200: json(ItemSchema, 'Updated'),
    400: problem('Invalid fields'),
    404: problem('No such item'),
    ...adminErrors,
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/api/admin/items/{id}',
  ...admin,
  summary: 'Take an item off sale (bookings and orders keep pointing at it)',
  request: { params: IdParams },
  responses: {
    204: { description: 'Deactivated' },
    400: problem('Invalid id'),
    404: problem('No such item'),
    ...adminErrors,
  },
})
