import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings } from '../../db/schema'
import { sqlState } from '../../db/errors'
import { ServiceError, invalid, notFound } from '../errors'
import { transaction, type BeforeCommit } from '../../db/transaction'
import { venueRules } from '../venues/booking-rules'
import { bookingColumns, bookingItemColumns } from './booking-columns'
import {
  bookingTotal,
  insertBookingItems,
  overlapConflict,
  unbookable,
  type CreatedBooking,
} from './create-booking'
import { ensureStock, lockRentals, type RentalLine } from './rental-stock'
import { cancellationViolation, slotViolation } from './rule-violations'

export interface BookingChange {
  start?: Date
  end?: Date
  /** The whole new list of rented items; left out, the booking keeps its items. */
  items?: readonly { itemId: number; quantity: number }[]
  notes?: string | null
}

const notMovable = (detail: string) => new ServiceError('conflict', detail, { type: 'not-movable' })

/**
 * Moves a booking (its owner's, or any for an admin) to another slot and/or changes its items, in one transaction: the
 * booking row is locked, the venue rules and the cut-off are checked, the items' stock is summed
 * for the new slot without the booking itself, the total is priced again, and the occupancy
 * follows the row (the EXCLUDE constraint refuses an overlap).
 */
export async function rescheduleBooking(
  db: Db,
  id: number,
  actor: { id: number; admin: boolean },
  change: BookingChange,
  beforeCommit?: BeforeCommit<CreatedBooking>,
): Promise<CreatedBooking> {
  let slot = { venueId: 0, start: new Date(0), end: new Date(0), buffer: 0 }
  try {
    return await transaction(db, async (tx) => {
      const [current] = await tx
        .select(bookingColumns)
        .from(bookings)
        .where(eq(bookings.id, id))
        .for('update')
      if (!current || (!actor.admin && current.userId !== actor.id)) throw notFound('booking')
      if (current.kind !== 'single') {
        throw notMovable('A program enrolment follows its program and cannot be moved.')
      }
      if (current.status !== 'pending' && current.status !== 'confirmed') {
        throw notMovable(`A ${current.status} booking cannot be changed.`)
      }
      const venue = (await venueRules(db, current.venueId, { lockIn: tx }))!
      const start = change.start ?? current.startDatetime
      const end = change.end ?? current.endDatetime
      if (end <= start) {
        throw invalid('The booking would end before it starts.', [
          {
            path: change.end ? 'end_datetime' : 'start_datetime',
            message: 'must leave end after start',
          },
        ])
      }
      slot = { venueId: current.venueId, start, end, buffer: venue.rules.bufferMinutes }
      const moved =
        start.getTime() !== current.startDatetime.getTime() ||
        end.getTime() !== current.endDatetime.getTime()
      // Admins may move a booking inside the cut-off (a support desk does); the slot rules bind all.
      const broken =
        (actor.admin
          ? null
          : cancellationViolation(venue.rules, current.startDatetime, current.endDatetime)) ??
        (moved ? slotViolation(venue.rules, venue.timezone, start, end) : null)
      if (broken) throw broken

      const kept = await tx
        .select(bookingItemColumns)
        .from(bookingItems)
        .where(eq(bookingItems.bookingId, id))
      const wanted = change.items ?? kept.map((k) => ({ itemId: k.itemId, quantity: k.quantity }))
      const rentals = await lockRentals(db, tx, wanted)
      if (rentals.errors.length > 0) throw unbookable(rentals.errors)
      await ensureStock(db, tx, rentals.lines, start, end, id)
      // Items not resent keep the price they were booked at; new lines take today's price.
      const priced: RentalLine[] = change.items
        ? rentals.lines
        : rentals.lines.map((line) => ({
            ...line,
            unitPriceCents: kept.find((k) => k.itemId === line.itemId)!.unitPriceCents,
          }))
      const total = bookingTotal(venue.hourlyPriceCents, start, end, priced)

      const [booking] = await tx
        .update(bookings)
        .set({
          startDatetime: start,
          endDatetime: end,
          totalCents: total,
          ...(change.notes !== undefined ? { notes: change.notes } : {}),
          updatedAt: new Date(),
        })
        .where(eq(bookings.id, id))
        .returning(bookingColumns)
      let lines = kept
      if (change.items) {
        await tx.delete(bookingItems).where(eq(bookingItems.bookingId, id))
        lines = await insertBookingItems(db, tx, id, priced)
      }
      return { booking: booking!, items: lines.sort((a, b) => a.id - b.id) }
    }, beforeCommit)
  } catch (error) {
    if (sqlState(error) === '23P01') {
      throw await overlapConflict(db, slot, slot.buffer, actor, id)
    }
    throw error
  }
}
