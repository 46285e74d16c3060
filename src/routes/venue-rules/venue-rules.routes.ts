import { createRoute } from '../../http/create-route'
import { requireAdmin } from '../../http/middleware/auth'
import { adminErrors, json, jsonBody, problem } from '../../http/openapi-schemas'
import { IdParams } from '../../http/params'
import {
  AvailabilityQuery,
  AvailabilitySchema,
  BookingRulesInput,
  BookingRulesSchema,
} from './venue-rules.schemas'

const admin = { tags: ['Admin: venues'], security: [{ bearer: [] }], middleware: requireAdmin() }

export const availability = createRoute({
  method: 'get',
  path: '/api/venues/{id}/availability',
  tags: ['Venues'],
  summary: 'Free slots of an active venue over up to 31 local days',
  description:
    'Honours opening hours (in the venue time zone, daylight saving included), the slot grid, ' +
    'minimum and maximum duration, buffers, lead time, how far ahead, program sessions and ' +
    'active bookings. Not cached: it changes with every booking.',
  request: { params: IdParams, query: AvailabilityQuery },
  responses: {
    200: json(AvailabilitySchema, 'The bookable starts'),
    400: problem('Invalid id or dates, or a range longer than 31 days'),
    404: problem('No such active venue'),
  },
})

export const getRules = createRoute({
  method: 'get',
  path: '/api/admin/venues/{id}/rules',
  ...admin,
  summary: 'A venue’s booking rules (the defaults until set)',
  request: { params: IdParams },
  responses: {
    200: json(BookingRulesSchema, 'The rules'),
    400: problem('Invalid id'),
    404: problem('No such venue'),
    ...adminErrors,
  },
})

export const putRules = createRoute({
  method: 'put',
  path: '/api/admin/venues/{id}/rules',
  ...admin,
  summary: 'Replace a venue’s booking rules',
  description:
    'Existing bookings stay as they are; the rules apply to bookings, moves and cancellations ' +
    'from now on. A new buffer_minutes applies to bookings and sessions written from now on.',
  request: { params: IdParams, body: jsonBody(BookingRulesInput) },
  responses: {
    200: json(BookingRulesSchema, 'The stored rules'),
    400: problem('Invalid fields'),
    404: problem('No such venue'),
    ...adminErrors,
  },
})
