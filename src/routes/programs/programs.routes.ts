import { createRoute } from '../../http/create-route'
import { etag } from '../../http/middleware/etag'
import { cachedResponse } from '../../http/middleware/response-cache'
import { requireAdmin, requireUser } from '../../http/middleware/auth'
import {
  adminErrors,
  json,
  jsonBody,
  notModified,
  problem,
  userErrors,
} from '../../http/openapi-schemas'
import { PageQuery, pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { BookingSchema } from '../bookings/bookings.schemas'
import { ProgramCreate, ProgramSchema, ProgramUpdate } from './programs.schemas'

/** Public reads are cached per query string; the admin writes invalidate them. */
export const CACHE_NAMESPACE = 'programs'

const tags = ['Programs']
const admin = { tags: ['Admin: programs'], security: [{ bearer: [] }], middleware: requireAdmin() }

export const list = createRoute({
  method: 'get',
  path: '/api/programs',
  tags,
  summary: 'Active regular programs',
  middleware: [etag(), cachedResponse(CACHE_NAMESPACE)] as const,
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(ProgramSchema), 'A page of active programs'),
    ...notModified,
    400: problem('Invalid paging'),
  },
})

export const get = createRoute({
  method: 'get',
  path: '/api/programs/{id}',
  tags,
  summary: 'One active program',
  middleware: [etag(), cachedResponse(CACHE_NAMESPACE)] as const,
  request: { params: IdParams },
  responses: {
    200: json(ProgramSchema, 'The program'),
    ...notModified,
    400: problem('Invalid id'),
    404: problem('No such active program'),
  },
})

export const enroll = createRoute({
  method: 'post',
  path: '/api/programs/{id}/enroll',
  tags,
  summary: 'Enrol in a program: a booking from the next session to the end of the last',
  security: [{ bearer: [] }],
  middleware: requireUser(),
  request: { params: IdParams },
  responses: {
    201: json(BookingSchema, 'Enrolled; the booking of kind `program`'),
    400: problem('Invalid id'),
    404: problem('No such active program'),
    409: problem('The program is full or over, or the caller is already enrolled'),
    ...userErrors,
  },
})

export const adminList = createRoute({
  method: 'get',
  path: '/api/admin/programs',
  ...admin,
  summary: 'All programs, inactive ones too',
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(ProgramSchema), 'A page of programs'),
    400: problem('Invalid paging'),
    ...adminErrors,
  },
})

export const create = createRoute({
  method: 'post',
  path: '/api/admin/programs',
  ...admin,
  summary: 'Create a program',
  request: { body: jsonBody(ProgramCreate) },
  responses: {
    201: json(ProgramSchema, 'Created'),
    400: problem('Invalid fields, or no such venue'),
    ...adminErrors,
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/programs/{id}',
  ...admin,
  summary: 'Change a program (existing enrolments keep their dates)',
  request: { params: IdParams, body: jsonBody(ProgramUpdate) },
  responses: {
    200: json(ProgramSchema, 'Updated'),
    400: problem('Invalid fields, or no such venue'),
    404: problem('No such program'),
    ...adminErrors,
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/api/admin/programs/{id}',
  ...admin,
  summary: 'Deactivate a program (its enrolments are kept)',
  request: { params: IdParams },
  responses: {
    204: { description: 'Deactivated' },
    400: problem('Invalid id'),
    404: problem('No such program'),
    ...adminErrors,
  },
})
