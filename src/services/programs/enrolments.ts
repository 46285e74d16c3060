import { count, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, regularPrograms, venues } from '../../db/schema'
import { sqlState } from '../../db/errors'
import { conflict, notFound } from '../errors'
import { transaction } from '../../db/transaction'
import { bookingColumns, type BookingRow } from '../bookings/booking-columns'
import { activeEnrolment } from './programs'
import { lastSessionEnd, nextSessionStart } from './schedule'

const alreadyEnrolled = () => conflict('You are already enrolled in this program.')

/**
 * Enrols a user: a booking of kind `program` from the next session to the end of the last one.
 * The program row is locked for the whole transaction, so concurrent enrolments queue on it and
 * the seat count they see is exact: the last seat goes to exactly one of them.
 */
export async function enrol(db: Db, programId: number, userId: number): Promise<BookingRow> {
  try {
    return await transaction(db, async (tx) => {
      const [program] = await tx
        .select({
          venueId: regularPrograms.venueId,
          capacity: regularPrograms.capacity,
          priceCents: regularPrograms.priceCents,
          isActive: regularPrograms.isActive,
          startsAt: nextSessionStart.mapWith(bookings.startDatetime),
          endsAt: lastSessionEnd.mapWith(bookings.endDatetime),
        })
        .from(regularPrograms)
        .innerJoin(venues, eq(venues.id, regularPrograms.venueId))
        .where(eq(regularPrograms.id, programId))
        .for('update', { of: regularPrograms })
      if (!program || !program.isActive) throw notFound('program')
      const startsAt = program.startsAt as Date | null
      const endsAt = program.endsAt as Date | null
      if (!startsAt || !endsAt) throw conflict('The program has ended: no session is left.')

      const [seats] = await tx
        .select({
          taken: count(),
          mine: sql<boolean>`coalesce(bool_or(${bookings.userId} = ${userId}), false)`,
        })
        .from(bookings)
        .where(activeEnrolment(programId))
      if (seats?.mine) throw alreadyEnrolled()
      if ((seats?.taken ?? 0) >= program.capacity) {
        throw conflict('The program is full.', { capacity: program.capacity })
      }

      const [booking] = await tx
        .insert(bookings)
        .values({
          userId,
          venueId: program.venueId,
          kind: 'program',
          programId,
          startDatetime: startsAt,
          endDatetime: endsAt,
          status: 'confirmed',
          totalCents: program.priceCents,
        })
        .returning(bookingColumns)
      return booking!
    })
  } catch (error) {
    // The partial unique index is the last word should two enrolments of one user race.
    if (sqlState(error) === '23505') throw alreadyEnrolled()
    throw error
  }
}
