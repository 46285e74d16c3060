import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'
import {
  bookingColumns,
  bookingItemColumns,
  type BookingItemRow,
  type BookingRow,
} from './booking-columns'

// The hottest reads, prepared once per database: tests and the server hold different Db objects.
const build = (db: Db) => ({
  byId: db
    .select(bookingColumns)
    .from(bookings)
    .where(eq(bookings.id, sql.placeholder('id')))
    .prepare('booking_by_id'),
  itemsOf: db
    .select(bookingItemColumns)
    .from(bookingItems)
    .where(eq(bookingItems.bookingId, sql.placeholder('bookingId')))
    .orderBy(asc(bookingItems.id))
    .prepare('booking_items_of_booking'),
})

const prepared = new WeakMap<Db, ReturnType<typeof build>>()

function statements(db: Db) {
  let found = prepared.get(db)
  if (!found) {
    found = build(db)
    prepared.set(db, found)
  }
  return found
}

export async function findBooking(db: Db, id: number): Promise<BookingRow | undefined> {
  const [row] = await statements(db).byId.execute({ id })
  return row
}

export function itemsOfBooking(db: Db, bookingId: number): Promise<BookingItemRow[]> {
  return statements(db).itemsOf.execute({ bookingId })
}
