import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings } from '../../db/schema'
import { sqlState } from '../../db/errors'
import { ServiceError, notFound } from '../errors'
import { inTransaction, preparedOnce } from '../../db/prepared'
import { transaction, type Tx } from '../../db/transaction'
import { venueRules } from '../venues/booking-rules'
import { bookingColumns, type BookingRow } from './booking-columns'
import { overlapConflict } from './create-booking'
import { findBooking, itemsOfBooking } from './find-booking'
import type { BookingStatus } from './list-bookings'
import { ensureStock, lockRentals } from './rental-stock'
import { cancellationViolation, ruleProblem } from './rule-violations'

/**
 * The only ways a booking's status may move. Completed is final; a cancelled single booking may
 * be confirmed again, but only while its slot and rented items are still free.
 */
export const transitions: Record<BookingStatus, readonly BookingStatus[]> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['cancelled', 'completed'],
  cancelled: ['confirmed'],
  completed: [],
}

export interface Actor {
  id: number
  admin: boolean
}

function refuseTransition(current: BookingRow, to: BookingStatus): never {
  const allowed = transitions[current.status].filter(
    (s) => !(current.status === 'cancelled' && current.kind === 'program' && s === 'confirmed'),
  )
  throw new ServiceError('conflict', `A ${current.status} ${current.kind} booking cannot become ${to}.`, {
    type: 'invalid-status-transition',
    extensions: { current_status: current.status, allowed },
  })
}

/** The rules a move must also pass beyond the transition table, given who asks and when. */
async function checkRules(db: Db, current: BookingRow, to: BookingStatus, actor: Actor) {
  const now = new Date()
  if (to === 'completed' && now < current.endDatetime) {
    throw ruleProblem('not_ended', 'A booking can be completed only after it has ended.', {
      end_datetime: current.endDatetime.toISOString(),
    })
  }
  // Enrolments span a whole program; leaving one is always allowed.
  if (to === 'cancelled' && !actor.admin && current.kind === 'single') {
    const venue = await venueRules(db, current.venueId)
    const broken =
      venue && cancellationViolation(venue.rules, current.startDatetime, current.endDatetime, now)
    if (broken) throw broken
  }
}

/** Reviving a cancelled booking re-checks its items' stock for the slot, as a new booking would. */
async function recheckStock(db: Db, tx: Tx, current: BookingRow) {
  const lines = await itemsOfBooking(tx as unknown as Db, current.id)
  const rentals = await lockRentals(
    db,
    tx,
    lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
  )
  await ensureStock(db, tx, rentals.lines, current.startDatetime, current.endDatetime, current.id)
}

/** The move itself, conditional on the status it was judged from. */
const setStatusStatement = (db: Db) =>
  preparedOnce(db, 'booking_set_status', (name) =>
    db
      .update(bookings)
      .set({ status: sql`${sql.placeholder('to')}`, updatedAt: sql`${sql.placeholder('at')}` })
      .where(
        and(eq(bookings.id, sql.placeholder('id')), eq(bookings.status, sql.placeholder('from'))),
      )
      .returning(bookingColumns)
      .prepare(name),
  )

/**
 * Moves a booking to `to`. Asking for the status it already has changes nothing, so a retried
 * cancel answers like the first one. The update is conditional on the status just read: a
 * concurrent change makes it miss, and the move is judged again from the new status. Reviving
 * a booking re-activates its occupancy, so the EXCLUDE constraint decides whether the slot is free.
 */
export async function changeStatus(
  db: Db,
  id: number,
  to: BookingStatus,
  actor: Actor,
): Promise<BookingRow> {
  const visible = (b: BookingRow) => actor.admin || b.userId === actor.id
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await findBooking(db, id)
    if (!current || !visible(current)) throw notFound('booking')
    if (current.status === to) return current
    const revive = current.status === 'cancelled'
    if (!transitions[current.status].includes(to) || (revive && current.kind === 'program')) {
      refuseTransition(current, to)
    }
    await checkRules(db, current, to, actor)
    try {
      const updated = await transaction(db, async (tx) => {
        if (revive) await recheckStock(db, tx, current)
        const [row] = await inTransaction(setStatusStatement(db), tx).execute({
          id,
          to,
          from: current.status,
          at: new Date().toISOString(),
        })
        return row
      })
      if (updated) return updated
    } catch (error) {
      if (sqlState(error) !== '23P01') throw error
      const venue = await venueRules(db, current.venueId)
      throw await overlapConflict(
        db,
        { venueId: current.venueId, start: current.startDatetime, end: current.endDatetime },
        venue?.rules.bufferMinutes ?? 0,
        actor,
        current.id,
      )
    }
  }
  throw new ServiceError('conflict', 'The booking is being changed by someone else; try again.', {
    type: 'concurrent-change',
  })
}
