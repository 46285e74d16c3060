import { asc, inArray, sql, type Placeholder } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'
import { MAX_PAGE_SIZE } from '../../http/pagination'
import { preparedOnce } from '../../db/prepared'

export const bookingColumns = {
  id: bookings.id,
  userId: bookings.userId,
  venueId: bookings.venueId,
  kind: bookings.kind,
  programId: bookings.programId,
  startDatetime: bookings.startDatetime,
  endDatetime: bookings.endDatetime,
  status: bookings.status,
  totalCents: bookings.totalCents,
  notes: bookings.notes,
  createdAt: bookings.createdAt,
  updatedAt: bookings.updatedAt,
}

export const bookingItemColumns = {
  id: bookingItems.id,
  bookingId: bookingItems.bookingId,
  itemId: bookingItems.itemId,
  quantity: bookingItems.quantity,
  unitPriceCents: bookingItems.unitPriceCents,
}

export type BookingRow = {
  id: number
  userId: number
  venueId: number
  kind: 'single' | 'program'
  programId: number | null
  startDatetime: Date
  endDatetime: Date
  status: 'pending' | 'confirmed' | 'cancelled' | 'completed'
  totalCents: number
  notes: string | null
  createdAt: Date
  updatedAt: Date
}

export type BookingItemRow = {
  id: number
  bookingId: number
  itemId: number
  quantity: number
  unitPriceCents: number
}

const itemsOf = (db: Db, ids: readonly (number | Placeholder)[]) =>
  db
    .select(bookingItemColumns)
    .from(bookingItems)
    .where(inArray(bookingItems.bookingId, ids))
    .orderBy(asc(bookingItems.bookingId), asc(bookingItems.id))

/**
 * The items of a page of bookings: prepared once per page length (`in ($1, ..., $n)`), up to the
 * largest page; longer lists (export batches) are rare enough to run unprepared.
 */
function itemsOfPage(db: Db, ids: number[]) {
  if (ids.length > MAX_PAGE_SIZE) return itemsOf(db, ids).execute()
  const statement = preparedOnce(db, `items_of_${ids.length}_bookings`, (name) =>
    itemsOf(db, ids.map((_, i) => sql.placeholder(`id${i}`))).prepare(name),
  )
  return statement.execute(Object.fromEntries(ids.map((id, i) => [`id${i}`, id])))
}

/** The items of many bookings in one query (served by booking_items_booking_id_idx). */
export async function loadBookingItems(
  db: Db,
  bookingIds: readonly number[],
): Promise<Map<number, BookingItemRow[]>> {
  const byBooking = new Map<number, BookingItemRow[]>()
  if (bookingIds.length === 0) return byBooking
  const rows = await itemsOfPage(db, [...new Set(bookingIds)])
  for (const row of rows) {
    const list = byBooking.get(row.bookingId)
    if (list) list.push(row)
    else byBooking.set(row.bookingId, [row])
  }
  return byBooking
}
