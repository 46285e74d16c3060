import { createRoute } from '../../http/create-route'
import { requireAdmin } from '../../http/middleware/auth'
import { adminErrors, json, jsonBody, problem } from '../../http/openapi-schemas'
import { pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { ndjsonContent } from '../../http/stream-list'
import {
  AdminBookingsQuery,
  BookingItemRecordSchema,
  BookingItemsQuery,
  BookingSchema,
  BookingStatusUpdate,
  TodayPageSchema,
  TodayQuery,
} from './bookings.schemas'

const admin = {
  tags: ['Admin: bookings'],
  security: [{ bearer: [] }],
  middleware: requireAdmin(),
}

export const list = createRoute({
  method: 'get',
  path: '/api/admin/bookings',
  ...admin,
  summary: 'All bookings, latest start first',
  request: { query: AdminBookingsQuery },
  responses: {
    200: {
      description:
        'A page of bookings, each with its rented items; with `Accept: application/x-ndjson`, ' +
        'every matching booking streamed one per line (paging parameters are then ignored)',
      content: { ...json(pageOf(BookingSchema), '').content, ...ndjsonContent },
    },
    400: problem('Invalid paging or filter'),
    ...adminErrors,
  },
})

export const today = createRoute({
  method: 'get',
  path: '/api/admin/bookings/today',
  ...admin,
  summary: "Bookings overlapping today's calendar day in APP_TIMEZONE, earliest first",
  request: { query: TodayQuery },
  responses: {
    200: json(TodayPageSchema, 'A page of bookings and the bounds of the day'),
    400: problem('Invalid paging or filter'),
    ...adminErrors,
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/bookings/{id}',
  ...admin,
  summary: "Change a booking's status",
  request: { params: IdParams, body: jsonBody(BookingStatusUpdate) },
  responses: {
    200: json(BookingSchema, 'The booking with its new status'),
    400: problem('Invalid fields'),
    404: problem('No such booking'),
    409: problem('The change is not an allowed transition'),
    ...adminErrors,
  },
})

export const items = createRoute({
  method: 'get',
  path: '/api/admin/booking-items',
  ...admin,
  summary: 'All rented booking items, newest first',
  request: { query: BookingItemsQuery },
  responses: {
    200: {
      description:
        'A page of booking items; with `Accept: application/x-ndjson`, every match streamed ' +
        'one per line',
      content: { ...json(pageOf(BookingItemRecordSchema), '').content, ...ndjsonContent },
    },
    400: problem('Invalid paging or filter'),
    ...adminErrors,
  },
})
