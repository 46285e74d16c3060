import { asc, getTableColumns, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'
import { bookingStatus } from '../../db/schema/enums'
import { preparedOnce, unmapped } from '../../db/prepared'
import { wireFields, type WireRow } from '../../db/wire-fields'
import { idArray } from '../../db/sql-literal'

/**
 * A booking, derived from its table: the one field list is the table's columns. Reads select
 * `bookingFields` and get each row as its JSON (`BookingRecord`); the write paths work on the
 * table's own row (`BookingRow`), which the route maps to the same JSON (`toBooking`).
 */
export const bookingFields = wireFields(bookings)
export type BookingRecord = WireRow<typeof bookings>

/** A rented line of a booking as the booking carries it (its booking is the parent). */
export const bookingItemFields = wireFields(bookingItems, ['bookingId'])
export type BookingItem = WireRow<typeof bookingItems, 'bookingId'>

/** A booking line on its own (the admin list of lines): with its booking_id. */
export const bookingItemRecordFields = wireFields(bookingItems)
export type BookingItemRecord = WireRow<typeof bookingItems>

/** A booking with its items: the JSON of every booking the API answers with. */
export type Booking = BookingRecord & { items: BookingItem[] }

export const bookingStatuses = bookingStatus.enumValues
export type BookingStatus = (typeof bookingStatuses)[number]

/** The table's row, as drizzle reads it (Dates, camelCase): what the write paths reason on. */
export const bookingColumns = getTableColumns(bookings)
export type BookingRow = typeof bookings.$inferSelect
export const bookingItemColumns = getTableColumns(bookingItems)
export type BookingItemRow = typeof bookingItems.$inferSelect

/**
 * The items of a page of bookings in one statement, prepared once: the ids go as one array
 * parameter (`= any($1)`), so every page length shares the statement (served by
 * booking_items_booking_id_idx). Each row is a line in its wire form beside its booking_id.
 */
const itemsOfBookings = (db: Db) =>
  preparedOnce(db, 'items_of_bookings', (name) =>
    unmapped<BookingItem & { booking_id: number }>(
      db,
      name,
      db
        .select({ booking_id: bookingItems.bookingId, ...bookingItemFields })
        .from(bookingItems)
        .where(sql`${bookingItems.bookingId} = any(${sql.placeholder('ids')}::bigint[])`)
        .orderBy(asc(bookingItems.bookingId), asc(bookingItems.id)),
    ),
  )

/**
 * Gives each of the first `count` bookings its `items` (one query for them all), in place: the
 * rows become the answer without a second object. Rows past `count` (the extra row a page reads
 * to see whether another follows) are left as they are.
 */
export async function withItems<R extends { id: number }>(
  db: Db,
  rows: R[],
  count = rows.length,
): Promise<(R & { items: BookingItem[] })[]> {
  const out = rows as (R & { items: BookingItem[] })[]
  const n = Math.min(count, rows.length)
  if (n === 0) return out
  const byBooking = new Map<number, BookingItem[]>()
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const row = out[i]!
    row.items = []
    byBooking.set(row.id, row.items)
    ids.push(row.id)
  }
  const lines = await itemsOfBookings(db).execute({ ids: idArray(ids) })
  for (const { booking_id: bookingId, ...item } of lines) byBooking.get(bookingId)?.push(item)
  return out
}
