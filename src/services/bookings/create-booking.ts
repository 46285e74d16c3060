import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings, items, venues } from '../../db/schema'
import { sqlState } from '../../lib/db-errors'
import { Problem, type FieldError } from '../../lib/problem'
import { iso } from '../../lib/serialize'
import { transaction, type Tx } from '../../lib/transaction'
import {
  bookingColumns,
  bookingItemColumns,
  type BookingItemRow,
  type BookingRow,
} from './booking-columns'
import { MAX_CENTS, itemsCents, venueCents } from './pricing'

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

interface RentalLine {
  itemId: number
  quantity: number
  unitPriceCents: number
  stock: number
}

const unbookable = (errors: FieldError[]) =>
  new Problem(422, 'The booking names a venue or item that cannot be booked.', {
    type: 'unbookable',
    errors,
  })

/** A range expression the GiST indexes on bookings serve (the exclusion and the active period). */
const period = (start: Date, end: Date) =>
  sql`tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, '[)')`
const bookingPeriod = sql`tstzrange(${bookings.startDatetime}, ${bookings.endDatetime}, '[)')`
const active = inArray(bookings.status, ['pending', 'confirmed'])

/**
 * Books a venue slot with its rented items, all or nothing. Competing bookings of the same items
 * are serialized by locking those item rows (in id order, so two bookings never deadlock) before
 * the stock is summed; overlapping slots of one venue are refused by the EXCLUDE constraint.
 */
export async function createBooking(db: Db, input: NewBooking): Promise<CreatedBooking> {
  try {
    return await transaction(db, async (tx) => {
      const [venue] = await tx
        .select({ hourlyPriceCents: venues.hourlyPriceCents, isActive: venues.isActive })
        .from(venues)
        .where(eq(venues.id, input.venueId))
        // Bookings of one venue take turns: two inserts that overlap would otherwise each wait
        // for the other's EXCLUDE check and deadlock. NO KEY UPDATE leaves the foreign-key
        // checks of other tables' inserts free.
        .for('no key update')
      const rentals = await lockRentals(tx, input.items)
      const errors = [...rentals.errors]
      if (!venue?.isActive) {
        errors.unshift({ path: 'venue_id', message: 'no active venue has this id' })
      }
      if (errors.length > 0) throw unbookable(errors)

      await ensureStock(tx, rentals.lines, input.start, input.end)
      const total =
        venueCents(venue!.hourlyPriceCents, input.start, input.end) + itemsCents(rentals.lines)
      if (total > MAX_CENTS) {
        throw new Problem(422, 'The booking total is larger than this service can charge.', {
          type: 'total-too-large',
        })
      }

      const [booking] = await tx
        .insert(bookings)
        .values({
          userId: input.userId,
          venueId: input.venueId,
          kind: 'single',
          startDatetime: input.start,
          endDatetime: input.end,
          status: 'confirmed',
          totalCents: total,
          notes: input.notes,
        })
        .returning(bookingColumns)
      const lines =
        rentals.lines.length === 0
          ? []
          : await tx
              .insert(bookingItems)
              .values(
                rentals.lines.map((line) => ({
                  bookingId: booking!.id,
                  itemId: line.itemId,
                  quantity: line.quantity,
                  unitPriceCents: line.unitPriceCents,
                })),
              )
              .returning(bookingItemColumns)
      return { booking: booking!, items: lines.sort((a, b) => a.id - b.id) }
    })
  } catch (error) {
    if (sqlState(error) === '23P01') throw await overlapConflict(db, input)
    throw error
  }
}

/** Locks the requested items and snapshots their prices; names every one that cannot be rented. */
async function lockRentals(tx: Tx, wanted: NewBooking['items']) {
  const lines: RentalLine[] = []
  const errors: FieldError[] = []
  if (wanted.length === 0) return { lines, errors }
  const rows = await tx
    .select({
      id: items.id,
      kind: items.kind,
      priceCents: items.priceCents,
      stock: items.stock,
      isActive: items.isActive,
    })
    .from(items)
    .where(inArray(items.id, wanted.map((w) => w.itemId)))
    .orderBy(asc(items.id))
    // NO KEY UPDATE serializes bookings of an item yet still lets other rows reference it.
    .for('no key update')
  const byId = new Map(rows.map((row) => [row.id, row]))
  wanted.forEach((w, index) => {
    const item = byId.get(w.itemId)
    const path = `items.${index}.item_id`
    if (!item?.isActive) errors.push({ path, message: `no active item has id ${w.itemId}` })
    else if (item.kind !== 'rental') {
      errors.push({ path, message: `item ${w.itemId} is merchandise, not a rental item` })
    } else {
      lines.push({
        itemId: w.itemId,
        quantity: w.quantity,
        unitPriceCents: item.priceCents,
        stock: item.stock,
      })
    }
  })
  return { lines, errors }
}

/** Refuses the booking when any item would be rented beyond its stock during the slot. */
async function ensureStock(tx: Tx, lines: RentalLine[], start: Date, end: Date) {
  if (lines.length === 0) return
  const booked = await tx
    .select({
      itemId: bookingItems.itemId,
      quantity: sql<number>`sum(${bookingItems.quantity})::int`,
    })
    .from(bookingItems)
    .innerJoin(bookings, eq(bookings.id, bookingItems.bookingId))
    .where(
      and(
        inArray(bookingItems.itemId, lines.map((l) => l.itemId)),
        active,
        sql`${bookingPeriod} && ${period(start, end)}`,
      ),
    )
    .groupBy(bookingItems.itemId)
  const bookedOf = new Map(booked.map((row) => [row.itemId, Number(row.quantity)]))
  const short = lines
    .map((line) => ({
      ...line,
      available: Math.max(line.stock - (bookedOf.get(line.itemId) ?? 0), 0),
    }))
    .filter((line) => line.quantity > line.available)
  if (short.length > 0) {
    const detail = short
      .map((s) => `item ${s.itemId} has ${s.available} left, ${s.quantity} requested`)
      .join('; ')
    throw new Problem(409, `Not enough stock for this slot: ${detail}.`, {
      type: 'insufficient-stock',
      extensions: {
        items: short.map((s) => ({
          item_id: s.itemId,
          requested: s.quantity,
          available: s.available,
        })),
      },
    })
  }
}

/**
 * The 409 for a slot the EXCLUDE constraint refused. It says when the venue is taken, which the
 * caller needs to pick another slot, but whose booking is in the way only to that booking's owner.
 */
async function overlapConflict(db: Db, input: NewBooking): Promise<Problem> {
  const [other] = await db
    .select({
      id: bookings.id,
      userId: bookings.userId,
      start: bookings.startDatetime,
      end: bookings.endDatetime,
    })
    .from(bookings)
    .where(
      and(
        eq(bookings.venueId, input.venueId),
        eq(bookings.kind, 'single'),
        active,
        sql`${bookingPeriod} && ${period(input.start, input.end)}`,
      ),
    )
    .orderBy(asc(bookings.startDatetime))
    .limit(1)
  if (!other) {
    return new Problem(409, 'The venue is already booked for an overlapping time.', {
      type: 'slot-taken',
    })
  }
  const [start, end] = [iso(other.start), iso(other.end)]
  return new Problem(409, `The venue is already booked from ${start} to ${end}.`, {
    type: 'slot-taken',
    extensions: {
      conflict: {
        start_datetime: start,
        end_datetime: end,
        ...(other.userId === input.userId ? { booking_id: other.id } : {}),
      },
    },
  })
}
