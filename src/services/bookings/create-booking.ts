import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { inTransaction, preparedOnce } from '../../db/prepared'
import { bookingItems, bookings } from '../../db/schema'
import { sqlState } from '../../db/errors'
import { ServiceError, type FieldError } from '../errors'
import { iso } from '../../lib/serialize'
import { transaction, type BeforeCommit, type Tx } from '../../db/transaction'
import { venueRules, type VenueRules } from '../venues/booking-rules'
import { describeConflict, occupanciesBlocking, withBuffer } from '../venues/occupancy'
import {
  bookingColumns,
  bookingItemColumns,
  type BookingItemRow,
  type BookingRow,
} from './booking-columns'
import { MAX_CENTS, itemsCents, venueCents } from './pricing'
import { ensureStock, lockRentals, type RentalLine } from './rental-stock'
import { slotViolation } from './rule-violations'

export interface NewBooking {
  userId: number
  venueId: number
  start: Date
  end: Date
  /** Distinct item ids; the route refuses duplicates. */
  items: readonly { itemId: number; quantity: number }[]
  notes: string | null
}

export interface CreatedBooking {
  booking: BookingRow
  items: BookingItemRow[]
}

export const unbookable = (errors: FieldError[]) =>
  new ServiceError('unprocessable', 'The booking names a venue or item that cannot be booked.', {
    type: 'unbookable',
    errors,
  })

/** The booking's price, refused when it is more than the service can charge. */
export function bookingTotal(
  hourlyPriceCents: number,
  start: Date,
  end: Date,
  lines: RentalLine[],
) {
  const total = venueCents(hourlyPriceCents, start, end) + itemsCents(lines)
  if (total > MAX_CENTS) {
    throw new ServiceError('unprocessable', 'The booking total is larger than this service can charge.', {
      type: 'total-too-large',
    })
  }
  return total
}

/**
 * Item lines are inserted by a statement prepared once per number of lines (a booking has at
 * most 50): drizzle's insert-from-select would have to name the identity column too.
 */
const insertItemsStatement = (db: Db, count: number) =>
  preparedOnce(db, `booking_items_insert_${count}`, (name) =>
    db
      .insert(bookingItems)
      .values(
        Array.from({ length: count }, (_, i) => ({
          bookingId: sql.placeholder('bookingId'),
          itemId: sql.placeholder(`itemId${i}`),
          quantity: sql.placeholder(`quantity${i}`),
          unitPriceCents: sql.placeholder(`unitPriceCents${i}`),
        })),
      )
      .returning(bookingItemColumns)
      .prepare(name),
  )

/** Writes a booking's item lines at the unit prices they were priced at, in id order. */
export async function insertBookingItems(
  db: Db,
  tx: Tx,
  bookingId: number,
  lines: RentalLine[],
): Promise<BookingItemRow[]> {
  if (lines.length === 0) return []
  const values: Record<string, number> = { bookingId }
  lines.forEach((line, i) => {
    values[`itemId${i}`] = line.itemId
    values[`quantity${i}`] = line.quantity
    values[`unitPriceCents${i}`] = line.unitPriceCents
  })
  const rows = await inTransaction(insertItemsStatement(db, lines.length), tx).execute(values)
  return rows.sort((a, b) => a.id - b.id)
}

const insertBookingStatement = (db: Db) =>
  preparedOnce(db, 'booking_insert', (name) =>
    db
      .insert(bookings)
      .values({
        userId: sql.placeholder('userId'),
        venueId: sql.placeholder('venueId'),
        kind: 'single',
        startDatetime: sql.placeholder('start'),
        endDatetime: sql.placeholder('end'),
        status: 'confirmed',
        totalCents: sql.placeholder('totalCents'),
        notes: sql.placeholder('notes'),
      })
      .returning(bookingColumns)
      .prepare(name),
  )

/**
 * Books a venue slot with its rented items, all or nothing. Competing bookings of the same items
 * are serialized by locking those item rows (in id order, so two bookings never deadlock) before
 * the stock is summed; the slot itself becomes a venue occupancy (a trigger writes it), whose
 * EXCLUDE constraint refuses any overlap with a booking or a program session.
 */
export async function createBooking(
  db: Db,
  input: NewBooking,
  beforeCommit?: BeforeCommit<CreatedBooking>,
): Promise<CreatedBooking> {
  let venue: VenueRules | undefined
  try {
    return await transaction(db, async (tx) => {
      venue = await venueRules(db, input.venueId, { lockIn: tx })
      const rentals = await lockRentals(db, tx, input.items)
      const errors = [...rentals.errors]
      if (!venue?.isActive) {
        errors.unshift({ path: 'venue_id', message: 'no active venue has this id' })
      }
      if (errors.length > 0) throw unbookable(errors)
      const broken = slotViolation(venue!.rules, venue!.timezone, input.start, input.end)
      if (broken) throw broken

      await ensureStock(db, tx, rentals.lines, input.start, input.end)
      const total = bookingTotal(venue!.hourlyPriceCents, input.start, input.end, rentals.lines)

      const [booking] = await inTransaction(insertBookingStatement(db), tx).execute({
        userId: input.userId,
        venueId: input.venueId,
        start: input.start,
        end: input.end,
        totalCents: total,
        notes: input.notes,
      })
      const items = await insertBookingItems(db, tx, booking!.id, rentals.lines)
      return { booking: booking!, items }
    }, beforeCommit)
  } catch (error) {
    if (sqlState(error) === '23P01') {
      throw await overlapConflict(db, input, venue?.rules.bufferMinutes ?? 0, {
        id: input.userId,
        admin: false,
      })
    }
    throw error
  }
}

/**
 * The 409 for a slot the occupancy EXCLUDE constraint refused. It says when the venue is taken
 * and by what (a booking or a program session), which the caller needs to pick another slot;
 * whose booking is in the way only to that booking's owner or an admin.
 */
export async function overlapConflict(
  db: Db,
  slot: { venueId: number; start: Date; end: Date },
  bufferMinutes: number,
  viewer: { id: number; admin: boolean },
  except?: number,
): Promise<ServiceError> {
  const rows = await occupanciesBlocking(
    db,
    slot.venueId,
    slot.start,
    withBuffer(slot.end, bufferMinutes),
    2,
  )
  const other = rows.find((row) => except === undefined || row.bookingId !== except)
  if (!other) {
    return new ServiceError('conflict', 'The venue is already booked for an overlapping time.', {
      type: 'slot-taken',
    })
  }
  const conflict = describeConflict(other, viewer)
  const what = other.source === 'program_session' ? 'a program session' : 'a booking'
  return new ServiceError(
    'conflict',
    `The venue is taken by ${what} from ${conflict.start_datetime} to ${conflict.end_datetime}` +
      (bufferMinutes > 0 ? ` (with a ${bufferMinutes}-minute gap between bookings).` : '.'),
    { type: 'slot-taken', extensions: { conflict } },
  )
}
