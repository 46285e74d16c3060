import type { AppRouteHandler } from '../../app/context'
import { pageBody, pageRequest } from '../../http/pagination'
import { streamList, wantsNdjson } from '../../http/stream-list'
import { iso } from '../../lib/serialize'
import { withItems } from '../../services/bookings/booking-columns'
import { changeStatus } from '../../services/bookings/booking-status'
import { itemsOfBooking } from '../../services/bookings/find-booking'
import {
  itemsNewestFirst,
  listBookingItems,
  selectBookingItems,
  type BookingItemFilter,
} from '../../services/bookings/list-booking-items'
import {
  earliestStartFirst,
  latestStartFirst,
  listAllBookings,
  selectAllBookings,
  type AdminFilter,
} from '../../services/bookings/list-bookings'
import { localDay } from '../../services/bookings/local-day'
import type * as routes from './admin-bookings.routes'
import { toBooking } from './bookings.schemas'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { db } = c.get('deps').database
  const query = c.req.valid('query')
  const filter: AdminFilter = {
    status: query.status,
    venueId: query.venue_id,
    userId: query.user_id,
    from: query.from,
    to: query.to,
  }
  if (wantsNdjson(c)) {
    return streamList(c, {
      keyset: latestStartFirst,
      rows: async (window) => withItems(db, await selectAllBookings(db, filter, window)),
    }) as never
  }
  const request = pageRequest(c, query, latestStartFirst.sortType)
  const page = await listAllBookings(db, filter, request.spec, latestStartFirst)
  return c.json(pageBody(c, request, page), 200)
}

export const today: AppRouteHandler<typeof routes.today> = async (c) => {
  const { db } = c.get('deps').database
  const query = c.req.valid('query')
  const day = localDay(c.get('deps').env.APP_TIMEZONE)
  const filter: AdminFilter = {
    status: query.status,
    venueId: query.venue_id,
    from: day.from,
    to: day.to,
  }
  const request = pageRequest(c, query, earliestStartFirst.sortType)
  const page = await listAllBookings(db, filter, request.spec, earliestStartFirst)
  const bounds = { date: day.date, time_zone: day.timeZone, from: iso(day.from), to: iso(day.to) }
  return c.json({ ...pageBody(c, request, page), day: bounds }, 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { db } = c.get('deps').database
  const booking = await changeStatus(
    db,
    c.req.valid('param').id,
    c.req.valid('json').status,
    { id: c.get('user').id, admin: true },
  )
  return c.json(toBooking(booking, await itemsOfBooking(db, booking.id)), 200)
}

export const items: AppRouteHandler<typeof routes.items> = async (c) => {
  const { db } = c.get('deps').database
  const query = c.req.valid('query')
  const filter: BookingItemFilter = { bookingId: query.booking_id, itemId: query.item_id }
  if (wantsNdjson(c)) {
    return streamList(c, {
      keyset: itemsNewestFirst,
      rows: (window) => selectBookingItems(db, filter, window),
    }) as never
  }
  const request = pageRequest(c, query)
  return c.json(pageBody(c, request, await listBookingItems(db, filter, request.spec)), 200)
}
