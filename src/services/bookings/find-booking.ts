import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'
import { preparedOnce, unmapped } from '../../db/prepared'
import {
  bookingColumns,
  bookingFields,
  bookingItemColumns,
  withItems,
  type Booking,
  type BookingRecord,
  type BookingItemRow,
  type BookingRow,
} from './booking-columns'

// The hottest read: a booking by id as its JSON, then its items.
const byId = (db: Db) =>
  preparedOnce(db, 'booking_by_id', (name) =>
    unmapped<BookingRecord>(
      db,
      name,
      db
        .select(bookingFields)
        .from(bookings)
        .where(eq(bookings.id, sql.placeholder('id'))),
    ),
  )

/** A booking with its items, as the API answers with it; `undefined` when there is none. */
export async function bookingById(db: Db, id: number): Promise<Booking | undefined> {
  const [row] = await byId(db).execute({ id })
  if (!row) return undefined
  const [booking] = await withItems(db, [row])
  return booking
}

// The write paths' reads: the table's rows, as they reason on them.
const rowById = (db: Db) =>
  preparedOnce(db, 'booking_row_by_id', (name) =>
    db
      .select(bookingColumns)
      .from(bookings)
      .where(eq(bookings.id, sql.placeholder('id')))
      .prepare(name),
  )

const itemsOf = (db: Db) =>
  preparedOnce(db, 'booking_items_of_booking', (name) =>
    db
      .select(bookingItemColumns)
      .from(bookingItems)
      .where(eq(bookingItems.bookingId, sql.placeholder('bookingId')))
      .orderBy(asc(bookingItems.id))
      .prepare(name),
  )

export async function findBooking(db: Db, id: number): Promise<BookingRow | undefined> {
  const [row] = await rowById(db).execute({ id })
  return row
}

export function itemsOfBooking(db: Db, bookingId: number): Promise<BookingItemRow[]> {
  return itemsOf(db).execute({ bookingId })
}
