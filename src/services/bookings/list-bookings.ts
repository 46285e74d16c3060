import { and, count, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings } from '../../db/schema'
import type { PageWindow } from '../../lib/paginate'
import { bookingColumns, type BookingRow } from './booking-columns'

export type BookingStatus = BookingRow['status']

/** A user's own bookings; served by bookings_user_id_id_idx, or (user_id, status) when filtered. */
export interface OwnFilter {
  userId: number
  status?: BookingStatus
  kind?: BookingRow['kind']
}

/** Any bookings; `from`/`to` select the ones overlapping [from, to). */
export interface AdminFilter {
  status?: BookingStatus
  venueId?: number
  userId?: number
  from?: Date
  to?: Date
}

const ownWhere = (f: OwnFilter): SQL | undefined =>
  and(
    eq(bookings.userId, f.userId),
    f.status && eq(bookings.status, f.status),
    f.kind && eq(bookings.kind, f.kind),
  )

/**
 * Overlap with [from, to) written twice: as range overlap, which bookings_period_idx (gist) serves
 * when the period is narrow, and as plain bounds, which let the start_datetime btree walk a wide
 * period in page order. The planner picks by selectivity.
 */
function overlaps(from?: Date, to?: Date): SQL | undefined {
  if (!from && !to) return undefined
  if (from && to && from >= to) return sql`false`
  const period = sql`tstzrange(${bookings.startDatetime}, ${bookings.endDatetime}, '[)')`
  const bound = (at?: Date) => sql`${at?.toISOString() ?? null}::timestamptz`
  const wanted = sql`tstzrange(${bound(from)}, ${bound(to)}, '[)')`
  return and(
    sql`${period} && ${wanted}`,
    to && lt(bookings.startDatetime, to),
    from && gt(bookings.endDatetime, from),
  )
}

export const adminWhere = (f: AdminFilter): SQL | undefined =>
  and(
    f.status && eq(bookings.status, f.status),
    f.venueId !== undefined ? eq(bookings.venueId, f.venueId) : undefined,
    f.userId !== undefined ? eq(bookings.userId, f.userId) : undefined,
    overlaps(f.from, f.to),
  )

function page(db: Db, where: SQL | undefined, window: PageWindow): Promise<BookingRow[]> {
  return db
    .select(bookingColumns)
    .from(bookings)
    .where(and(where, window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
}

async function total(db: Db, where: SQL | undefined): Promise<number> {
  const [row] = await db.select({ n: count() }).from(bookings).where(where)
  return row?.n ?? 0
}

export const listOwnBookings = (db: Db, filter: OwnFilter, window: PageWindow) =>
  page(db, ownWhere(filter), window)
export const countOwnBookings = (db: Db, filter: OwnFilter) => total(db, ownWhere(filter))

export const listAllBookings = (db: Db, filter: AdminFilter, window: PageWindow) =>
  page(db, adminWhere(filter), window)
export const countAllBookings = (db: Db, filter: AdminFilter) => total(db, adminWhere(filter))
