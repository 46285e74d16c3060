import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import {
  inWindow,
  readPage,
  type Keyset,
  type PageSpec,
  type PageWindow,
} from '../../db/keyset'
import { preparedCount, preparedPage } from '../../db/prepared'
import { bookingItems } from '../../db/schema'
import { bookingItemRecordFields, type BookingItemRecord } from './booking-columns'

/** Served by booking_items_booking_id_idx and booking_items_item_id_idx (item_id, id). */
export interface BookingItemFilter {
  bookingId?: number
  itemId?: number
}

export const itemsNewestFirst: Keyset<BookingItemRecord> = {
  sort: bookingItems.id,
  id: bookingItems.id,
  direction: 'desc',
  key: (i) => [i.id, i.id],
}

/**
 * The filter with placeholders for the conditions it uses: one prepared statement per shape,
 * whose condition is built only when the statement is.
 */
function shapeOf(f: BookingItemFilter) {
  const byBooking = f.bookingId !== undefined
  const byItem = f.itemId !== undefined
  return {
    name: `booking_items${byBooking ? '_booking' : ''}${byItem ? '_item' : ''}`,
    where: (): SQL | undefined =>
      and(
        byBooking ? eq(bookingItems.bookingId, sql.placeholder('booking_id')) : undefined,
        byItem ? eq(bookingItems.itemId, sql.placeholder('item_id')) : undefined,
      ),
    values: { booking_id: f.bookingId, item_id: f.itemId },
  }
}

/** Booking lines as their JSON, for a window of `itemsNewestFirst`. */
export function selectBookingItems(
  db: Db,
  filter: BookingItemFilter,
  window: PageWindow,
): Promise<BookingItemRecord[]> {
  const shape = shapeOf(filter)
  return preparedPage(
    db,
    shape.name,
    window,
    (w) =>
      inWindow(db.select(bookingItemRecordFields).from(bookingItems).$dynamic(), shape.where(), w),
    shape.values,
  )
}

export function countBookingItems(db: Db, filter: BookingItemFilter, upTo: number) {
  const shape = shapeOf(filter)
  return preparedCount(db, shape.name, bookingItems, shape.where, shape.values, upTo)
}

/** A page of booking lines, newest first, and the total when the spec asks for it. */
export const listBookingItems = (db: Db, filter: BookingItemFilter, spec: PageSpec) =>
  readPage(
    spec,
    itemsNewestFirst,
    (window) => selectBookingItems(db, filter, window),
    (upTo) => countBookingItems(db, filter, upTo),
  )
