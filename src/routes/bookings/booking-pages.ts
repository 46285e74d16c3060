import type { Db } from '../../db/client'
import { bookings } from '../../db/schema'
import type { AuthUser } from '../../app/context'
import type { Keyset, PageWindow } from '../../http/pagination'
import { iso } from '../../lib/serialize'
import {
  loadBookingItems,
  type BookingItemRow,
  type BookingRow,
} from '../../services/bookings/booking-columns'
import { toBooking } from './bookings.schemas'

export type BookingWithItems = BookingRow & { lines: BookingItemRow[] }

/** Newest first: the keyset of bookings_user_id_id_idx. */
export const byIdDesc: Keyset<BookingWithItems> = {
  sort: bookings.id,
  id: bookings.id,
  direction: 'desc',
  key: (b) => [b.id, b.id],
}

/** By start, then id: the keyset of bookings_start_datetime_idx (start_datetime, id). */
export const byStart = (direction: 'asc' | 'desc'): Keyset<BookingWithItems> => ({
  sort: bookings.startDatetime,
  id: bookings.id,
  direction,
  sortType: 'timestamptz',
  key: (b) => [iso(b.startDatetime), b.id],
})

/**
 * Wraps a page query so each booking carries its items, read in one query for the whole page
 * (the extra row paginate fetches to detect a next page is left out of it).
 */
export const withItems =
  (db: Db, pageSize: number, query: (window: PageWindow) => Promise<BookingRow[]>) =>
  async (window: PageWindow): Promise<BookingWithItems[]> => {
    const rows = await query(window)
    const items = await loadBookingItems(
      db,
      rows.slice(0, pageSize).map((b) => b.id),
    )
    return rows.map((b) => ({ ...b, lines: items.get(b.id) ?? [] }))
  }

export const toBookingWithItems = (b: BookingWithItems) => toBooking(b, b.lines)

/** Owners see their bookings, admins everyone's; anyone else is told it does not exist. */
export const visibleTo = (user: AuthUser) => (b: BookingRow) =>
  user.role === 'admin' || b.userId === user.id
