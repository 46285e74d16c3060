import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings } from '../../db/schema'
import { Problem, notFound } from '../../lib/problem'
import { bookingColumns, type BookingRow } from './booking-columns'
import { findBooking } from './find-booking'
import type { BookingStatus } from './list-bookings'

/** The only ways a booking's status may move; cancelled and completed are final. */
export const transitions: Record<BookingStatus, readonly BookingStatus[]> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['cancelled', 'completed'],
  cancelled: [],
  completed: [],
}

/**
 * Moves a booking to `to`. Asking for the status it already has changes nothing, so a retried
 * cancel answers like the first one. The update is conditional on the status just read: a
 * concurrent change makes it miss, and the move is judged again from the new status.
 */
export async function changeStatus(
  db: Db,
  id: number,
  to: BookingStatus,
  visible: (booking: BookingRow) => boolean,
): Promise<BookingRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await findBooking(db, id)
    if (!current || !visible(current)) throw notFound('booking')
    if (current.status === to) return current
    if (!transitions[current.status].includes(to)) {
      throw new Problem(409, `A ${current.status} booking cannot become ${to}.`, {
        type: 'invalid-status-transition',
        extensions: { current_status: current.status, allowed: transitions[current.status] },
      })
    }
    const [updated] = await db
      .update(bookings)
      .set({ status: to, updatedAt: new Date() })
      .where(and(eq(bookings.id, id), eq(bookings.status, current.status)))
      .returning(bookingColumns)
    if (updated) return updated
  }
  throw new Problem(409, 'The booking is being changed by someone else; try again.', {
    type: 'concurrent-change',
  })
}
