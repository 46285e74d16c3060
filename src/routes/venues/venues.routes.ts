import { z } from '@hono/zod-openapi'
import { createRoute } from '../../http/create-route'
import { requireAdmin } from '../../http/middleware/auth'
import { cachedResponse } from '../../http/middleware/response-cache'
import { adminErrors, json, jsonBody, notModified, problem } from '../../http/openapi-schemas'
import { PageQuery, pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { VenueCreate, VenueSchema, VenueUpdate } from './venues.schemas'

const tags = ['Venues']
/** Public reads are cached per query string; the admin writes below invalidate them. */
export const CACHE_NAMESPACE = 'venues'
const cached = cachedResponse(CACHE_NAMESPACE)
const admin = { tags: ['Admin: venues'], security: [{ bearer: [] }], middleware: requireAdmin() }

export const list = createRoute({
  method: 'get',
  path: '/api/venues',
  tags,
  summary: 'Active venues',
  middleware: cached,
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(VenueSchema), 'A page of active venues'),
    ...notModified,
    400: problem('Invalid paging'),
  },
})

export const get = createRoute({
  method: 'get',
  path: '/api/venues/{id}',
  tags,
  summary: 'One active venue',
  middleware: cached,
  request: { params: IdParams },
  responses: {
    200: json(VenueSchema, 'The venue'),
    ...notModified,
    400: problem('Invalid id'),
    404: problem('No such active venue'),
  },
})

export const adminList = createRoute({
  method: 'get',
  path: '/api/admin/venues',
  ...admin,
  summary: 'All venues, inactive ones too',
  request: { query: PageQuery },
  responses: { 200: json(pageOf(VenueSchema), 'A page of venues'), 400: problem('Invalid paging'), ...adminErrors },
})

export const create = createRoute({
  method: 'post',
  path: '/api/admin/venues',
  ...admin,
  summary: 'Create a venue',
  request: { body: jsonBody(VenueCreate) },
  responses: { 201: json(VenueSchema, 'Created'), 400: problem('Invalid fields'), ...adminErrors },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/venues/{id}',
  ...admin,
  summary: 'Change a venue',
  request: { params: IdParams, body: jsonBody(VenueUpdate) },
  responses: {
    200: json(VenueSchema, 'Updated'),
    400: problem('Invalid fields'),
    404: problem('No such venue'),
    ...adminErrors,
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/api/admin/venues/{id}',
  ...admin,
  summary: 'Deactivate a venue (its bookings are kept)',
  request: { params: IdParams },
  responses: { 204: { description: 'Deactivated' }, 404: problem('No such venue'), ...adminErrors },
})

