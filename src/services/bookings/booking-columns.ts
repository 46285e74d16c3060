import { asc, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'

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

/** The items of many bookings in one query (served by booking_items_booking_id_idx). */
export async function loadBookingItems(
  db: Db,
  bookingIds: readonly number[],
): Promise<Map<number, BookingItemRow[]>> {
  const byBooking = new Map<number, BookingItemRow[]>()
  if (bookingIds.length === 0) return byBooking
  const rows = await db
    .select(bookingItemColumns)
    .from(bookingItems)
    .where(inArray(bookingItems.bookingId, [...new Set(bookingIds)]))
    .orderBy(asc(bookingItems.bookingId), asc(bookingItems.id))
  for (const row of rows) {
    const list = byBooking.get(row.bookingId)
    if (list) list.push(row)
    else byBooking.set(row.bookingId, [row])
  }
  return byBooking
}
