import type { AppRouteHandler } from '../../app/context'
import { idempotent } from '../../http/idempotency'
import { pageBody, pageRequest } from '../../http/pagination'
import { badRequest, notFound } from '../../http/problem'
import { changeStatus } from '../../services/bookings/booking-status'
import { createBooking, type CreatedBooking } from '../../services/bookings/create-booking'
import { rescheduleBooking } from '../../services/bookings/reschedule-booking'
import { bookingById, itemsOfBooking } from '../../services/bookings/find-booking'
import { listOwnBookings, type OwnFilter } from '../../services/bookings/list-bookings'
import type * as routes from './bookings.routes'
import { changeIdempotencyView, idempotencyView, toBooking } from './bookings.schemas'

// Variables are read with c.get: each read of c.var copies every variable into a new object.
function ownList(kind?: OwnFilter['kind']) {
  return async (c: Parameters<AppRouteHandler<typeof routes.list>>[0]) => {
    const query = c.req.valid('query')
    const request = pageRequest(c, query)
    const filter: OwnFilter = { userId: c.get('user').id, status: query.status, kind }
    const page = await listOwnBookings(c.get('deps').database.db, filter, request.spec)
    return c.json(pageBody(c, request, page), 200)
  }
}

export const list: AppRouteHandler<typeof routes.list> = ownList()
export const programs: AppRouteHandler<typeof routes.programs> = ownList('program')

/** Owners see their bookings, admins everyone's; anyone else is told it does not exist. */
export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const booking = await bookingById(c.get('deps').database.db, c.req.valid('param').id)
  const user = c.get('user')
  if (!booking || (user.role !== 'admin' && booking.user_id !== user.id)) {
    throw notFound('booking')
  }
  return c.json(booking, 200)
}

/** Checked in the handlers rather than the schema so a retry after the start still replays. */
function refusePast(start: Date | undefined) {
  if (start && start.getTime() < Math.floor(Date.now() / 60_000) * 60_000) {
    throw badRequest('The booking would start in the past.', [
      { path: 'start_datetime', message: 'must not be before the current minute' },
    ])
  }
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { db } = c.get('deps').database
  const body = c.req.valid('json')
  const outcome = await idempotent(c, 'POST /api/bookings', idempotencyView(body), {
    run: (beforeCommit) => {
      refusePast(body.start_datetime)
      const input = {
        userId: c.get('user').id,
        venueId: body.venue_id,
        start: body.start_datetime,
        end: body.end_datetime,
        items: (body.items ?? []).map((i) => ({ itemId: i.item_id, quantity: i.quantity })),
        notes: body.notes ?? null,
      }
      return createBooking(db, input, beforeCommit)
    },
    answer: ({ booking, items }: CreatedBooking) => ({
      status: 201 as const,
      body: toBooking(booking, items),
    }),
  })
  c.header('Location', `/api/bookings/${outcome.body.id}`)
  // run() only ever answers 201, so a replayed outcome is a 201 too.
  return c.json(outcome.body, 201)
}

export const change: AppRouteHandler<typeof routes.change> = async (c) => {
  const { db } = c.get('deps').database
  const { id } = c.req.valid('param')
  const body = c.req.valid('json')
  const view = changeIdempotencyView(id, body)
  const outcome = await idempotent(c, 'PATCH /api/bookings/{id}', view, {
    run: (beforeCommit) => {
      refusePast(body.start_datetime)
      const user = c.get('user')
      const change = {
        start: body.start_datetime,
        end: body.end_datetime,
        items: body.items?.map((i) => ({ itemId: i.item_id, quantity: i.quantity })),
        notes: body.notes,
      }
      const actor = { id: user.id, admin: user.role === 'admin' }
      return rescheduleBooking(db, id, actor, change, beforeCommit)
    },
    answer: ({ booking, items }: CreatedBooking) => ({
      status: 200 as const,
      body: toBooking(booking, items),
    }),
  })
  return c.json(outcome.body, 200)
}

export const cancel: AppRouteHandler<typeof routes.cancel> = async (c) => {
  const { db } = c.get('deps').database
  const { id } = c.req.valid('param')
  const user = c.get('user')
  const booking = await changeStatus(db, id, 'cancelled', {
    id: user.id,
    admin: user.role === 'admin',
  })
  return c.json(toBooking(booking, await itemsOfBooking(db, booking.id)), 200)
}
