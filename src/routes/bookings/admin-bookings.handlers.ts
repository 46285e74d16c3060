import type { AppRouteHandler } from '../../app/context'
import { paginate, type Keyset } from '../../http/pagination'
import { streamList, wantsNdjson } from '../../http/stream-list'
import type { BookingItemRow } from '../../services/bookings/booking-columns'
import { bookingItems } from '../../db/schema'
import { iso } from '../../lib/serialize'
import { changeStatus } from '../../services/bookings/booking-status'
import { itemsOfBooking } from '../../services/bookings/find-booking'
import {
  countBookingItems,
  listBookingItems,
  type BookingItemFilter,
} from '../../services/bookings/list-booking-items'
import {
  countAllBookings,
  listAllBookings,
  type AdminFilter,
} from '../../services/bookings/list-bookings'
import { localDay } from '../../services/bookings/local-day'
import type * as routes from './admin-bookings.routes'
import { byStart, toBookingWithItems, withItems } from './booking-pages'
import { toBooking, toBookingItemRecord } from './bookings.schemas'

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
      keyset: byStart('desc'),
      rows: withItems(db, Number.MAX_SAFE_INTEGER, (window) => listAllBookings(db, filter, window)),
      map: toBookingWithItems,
    }) as never
  }
  const page = await paginate(c, {
    query,
    keyset: byStart('desc'),
    rows: withItems(db, query.page_size, (window) => listAllBookings(db, filter, window)),
    total: () => countAllBookings(db, filter),
    map: toBookingWithItems,
  })
  return c.json(page, 200)
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
  const page = await paginate(c, {
    query,
    keyset: byStart('asc'),
    rows: withItems(db, query.page_size, (window) => listAllBookings(db, filter, window)),
    total: () => countAllBookings(db, filter),
    map: toBookingWithItems,
  })
  const bounds = { date: day.date, time_zone: day.timeZone, from: iso(day.from), to: iso(day.to) }
  return c.json({ ...page, day: bounds }, 200)
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

const itemsNewestFirst: Keyset<BookingItemRow> = {
  sort: bookingItems.id,
  id: bookingItems.id,
  direction: 'desc',
  key: (i) => [i.id, i.id],
}

export const items: AppRouteHandler<typeof routes.items> = async (c) => {
  const { db } = c.get('deps').database
  const query = c.req.valid('query')
  const filter: BookingItemFilter = { bookingId: query.booking_id, itemId: query.item_id }
  if (wantsNdjson(c)) {
    return streamList(c, {
      keyset: itemsNewestFirst,
      rows: (window) => listBookingItems(db, filter, window),
      map: toBookingItemRecord,
    }) as never
  }
  const page = await paginate(c, {
    query,
    keyset: itemsNewestFirst,
    rows: (window) => listBookingItems(db, filter, window),
    total: () => countBookingItems(db, filter),
    map: toBookingItemRecord,
  })
  return c.json(page, 200)
}
