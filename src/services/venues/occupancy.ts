import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, venueOccupancies } from '../../db/schema'
import { iso } from '../../lib/serialize'

const MINUTE = 60_000

/** The period the EXCLUDE constraint compares: the occupancy plus its buffer. */
export const blockedPeriod = sql`tstzrange(${venueOccupancies.startsAt}, ${venueOccupancies.blockedUntil}, '[)')`

export const range = (from: Date, to: Date) =>
  sql`tstzrange(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '[)')`

/** Active occupancies of a venue blocking [from, to); served by the exclusion's GiST index. */
export const blocking = (venueId: number, from: Date, to: Date): SQL =>
  and(
    eq(venueOccupancies.venueId, venueId),
    eq(venueOccupancies.active, true),
    sql`${blockedPeriod} && ${range(from, to)}`,
  )!

export interface OccupancyRow {
  source: 'booking' | 'program_session'
  bookingId: number | null
  programId: number | null
  userId: number | null
  startsAt: Date
  endsAt: Date
  blockedUntil: Date
}

/** Active occupancies of a venue blocking [from, to), earliest first, with the booking's owner. */
export function occupanciesBlocking(
  db: Pick<Db, 'select'>,
  venueId: number,
  from: Date,
  to: Date,
  limit?: number,
): Promise<OccupancyRow[]> {
  const query = db
    .select({
      source: venueOccupancies.source,
      bookingId: venueOccupancies.bookingId,
      programId: venueOccupancies.programId,
      userId: bookings.userId,
      startsAt: venueOccupancies.startsAt,
      endsAt: venueOccupancies.endsAt,
      blockedUntil: venueOccupancies.blockedUntil,
    })
    .from(venueOccupancies)
    .leftJoin(bookings, eq(bookings.id, venueOccupancies.bookingId))
    .where(blocking(venueId, from, to))
    .orderBy(asc(venueOccupancies.startsAt))
  return limit === undefined ? query : query.limit(limit)
}

/**
 * What stands in the way, as a 409 shows it. A booking's id only to its owner (or an admin): the
 * others learn when the venue is taken, which they need to pick another time, but not by whom.
 */
export function describeConflict(row: OccupancyRow, viewer: { id: number; admin: boolean }) {
  const own = viewer.admin || (row.userId !== null && row.userId === viewer.id)
  return {
    source: row.source,
    start_datetime: iso(row.startsAt),
    end_datetime: iso(row.endsAt),
    ...(row.source === 'booking' && own ? { booking_id: row.bookingId } : {}),
    ...(row.source === 'program_session' ? { program_id: row.programId } : {}),
  }
}

/** [start, end + buffer): the period a new occupancy of [start, end) would block. */
export const withBuffer = (end: Date, bufferMinutes: number) =>
  new Date(end.getTime() + bufferMinutes * MINUTE)
