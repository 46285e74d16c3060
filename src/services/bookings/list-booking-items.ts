import { and, count, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'
import { bookingItemColumns, type BookingItemRow } from './booking-columns'

/** Served by booking_items_booking_id_idx and booking_items_item_id_idx (item_id, id). */
export interface BookingItemFilter {
  bookingId?: number
  itemId?: number
}

const where = (f: BookingItemFilter): SQL | undefined =>
  and(
    f.bookingId !== undefined ? eq(bookingItems.bookingId, f.bookingId) : undefined,
    f.itemId !== undefined ? eq(bookingItems.itemId, f.itemId) : undefined,
  )

export function listBookingItems(
  db: Db,
  filter: BookingItemFilter,
  window: PageWindow,
): Promise<BookingItemRow[]> {
  return db
    .select(bookingItemColumns)
    .from(bookingItems)
    .where(and(where(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
}

export async function countBookingItems(db: Db, filter: BookingItemFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(bookingItems).where(where(filter))
  return row?.n ?? 0
}
