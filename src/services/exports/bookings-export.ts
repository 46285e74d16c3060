import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, users, venues } from '../../db/schema'
import type { Keyset, PageWindow } from '../../lib/paginate'
import { iso } from '../../lib/serialize'
import { bookingColumns, loadBookingItems, type BookingItemRow, type BookingRow } from '../bookings/booking-columns'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'

export type ExportRow = BookingRow & {
  venueName: string
  userEmail: string
  items: BookingItemRow[]
}

/** Earliest first, on bookings_start_datetime_idx (start_datetime, id), which also serves from/to. */
export const exportOrder: Keyset<ExportRow> = {
  sort: bookings.startDatetime,
  id: bookings.id,
  direction: 'asc',
  sortType: 'timestamptz',
  key: (b) => [iso(b.startDatetime), b.id],
}

/**
 * One batch of the export: the admin list's filters, plus venue name and user email, plus the
 * batch's items in one more query. Each batch is a short query, so nothing is held open between
 * batches and a client that leaves simply stops the next one.
 */
export async function exportBatch(
  db: Db,
  filter: AdminFilter,
  window: PageWindow,
): Promise<ExportRow[]> {
  const rows = await db
    .select({ ...bookingColumns, venueName: venues.name, userEmail: users.email })
    .from(bookings)
    .innerJoin(venues, eq(venues.id, bookings.venueId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(and(adminWhere(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
  const items = await loadBookingItems(db, rows.map((r) => r.id))
  return rows.map((r) => ({ ...r, items: items.get(r.id) ?? [] }))
}
