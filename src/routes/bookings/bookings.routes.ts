import { createRoute } from '../../http/create-route'
import { requireUser } from '../../http/middleware/auth'
import {
  IdempotencyHeaders,
  json,
  jsonBody,
  problem,
  userErrors,
} from '../../http/openapi-schemas'
import { pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { BookingChange, BookingCreate, BookingSchema, OwnBookingsQuery } from './bookings.schemas'

const user = { tags: ['Bookings'], security: [{ bearer: [] }], middleware: requireUser() }

const ruleNames =
  '`rule` names it: lead_time, max_advance, min_duration, max_duration, opening_hours, ' +
  'slot_granularity'

export const list = createRoute({
  method: 'get',
  path: '/api/bookings',
  ...user,
  summary: "The caller's bookings, newest first",
  request: { query: OwnBookingsQuery },
  responses: {
    200: json(pageOf(BookingSchema), 'A page of bookings, each with its rented items'),
    400: problem('Invalid paging or filter'),
    ...userErrors,
  },
})

export const programs = createRoute({
  method: 'get',
  path: '/api/bookings/regular-programs',
  ...user,
  summary: "The caller's regular-program enrolments (bookings of kind program), newest first",
  request: { query: OwnBookingsQuery },
  responses: {
    200: json(pageOf(BookingSchema), 'A page of enrolments'),
    400: problem('Invalid paging or filter'),
    ...userErrors,
  },
})

export const get = createRoute({
  method: 'get',
  path: '/api/bookings/{id}',
  ...user,
  summary: 'One booking of the caller (admins: any booking)',
  request: { params: IdParams },
  responses: {
    200: json(BookingSchema, 'The booking'),
    400: problem('Invalid id'),
    404: problem('No such booking, or not the caller’s'),
    ...userErrors,
  },
})

export const create = createRoute({
  method: 'post',
  path: '/api/bookings',
  ...user,
  summary: 'Book a venue slot, optionally renting items',
  description:
    'A new booking is confirmed at once. Send an `Idempotency-Key` header to make retries safe: ' +
    'the same key and body replay the first answer; the same key with another body is 422.',
  request: { headers: IdempotencyHeaders, body: jsonBody(BookingCreate) },
  responses: {
    201: json(BookingSchema, 'Booked'),
    400: problem(
      'Invalid fields: an instant without offset or off a whole minute, end not after start, ' +
        'longer than 24 hours, starting in the past, a repeated item_id, a bad quantity',
    ),
    409: problem(
      'The venue is taken for an overlapping slot (`conflict` gives its times), an item has too ' +
        'little stock left for the slot (`items`), or a request with this Idempotency-Key is ' +
        'still running',
    ),
    422: problem(
      'The venue does not exist or is inactive, an item does not exist, is inactive or is not a ' +
        'rental item (`errors` names each), a venue booking rule is broken (' +
        ruleNames +
        '), or the Idempotency-Key was used with another body',
    ),
    ...userErrors,
  },
})

export const change = createRoute({
  method: 'patch',
  path: '/api/bookings/{id}',
  ...user,
  summary: 'Move a booking to another slot and/or change its items or notes (owner or admin)',
  description:
    'One transaction: the venue rules and the overlap constraint apply to the new slot as to a ' +
    'new booking, the items’ stock is checked again for it, and the total is priced again ' +
    '(items not resent keep their booked price). The owner may change a booking until the venue ' +
    'cancellation cut-off before its start; admins any time. Send an `Idempotency-Key` header ' +
    'to make retries safe.',
  request: { params: IdParams, headers: IdempotencyHeaders, body: jsonBody(BookingChange) },
  responses: {
    200: json(BookingSchema, 'The changed booking'),
    400: problem('Invalid fields, as for a new booking'),
    404: problem('No such booking, or not the caller’s'),
    409: problem(
      'The new slot overlaps a booking or program session (`conflict`), an item has too little ' +
        'stock (`items`), the booking is cancelled, completed or a program enrolment, or a ' +
        'request with this Idempotency-Key is still running',
    ),
    422: problem(
      `A booking rule is broken (${ruleNames}, or cancellation_cutoff / booking_ended for the ` +
        'booking as it is), an item cannot be rented, or the Idempotency-Key was reused',
    ),
    ...userErrors,
  },
})

export const cancel = createRoute({
  method: 'post',
  path: '/api/bookings/{id}/cancel',
  ...user,
  summary: 'Cancel a booking, freeing its slot and rented items',
  description:
    'Owner or admin. Cancelling a cancelled booking answers 200 and changes nothing. The owner ' +
    'of a single booking may cancel until the venue cut-off before its start; admins any time.',
  request: { params: IdParams },
  responses: {
    200: json(BookingSchema, 'The cancelled booking'),
    400: problem('Invalid id'),
    404: problem('No such booking, or not the caller’s'),
    409: problem('The booking is completed and can no longer be cancelled'),
    422: problem(
      'Not for admins: the venue cancellation cut-off has passed (rule cancellation_cutoff) or ' +
        'the booking has ended (rule booking_ended)',
    ),
    ...userErrors,
  },
})
