import { and, count, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'
import { preparedOnce, preparedPage } from '../../db/prepared'
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

/**
 * The own filter with placeholders (`user_id`, `status`, `kind`) for the conditions it uses: a
 * user's pages are the hottest list, prepared once per filter shape (see `preparedPage`).
 */
const ownWhere = (f: OwnFilter): SQL | undefined =>
  and(
    eq(bookings.userId, sql.placeholder('user_id')),
    f.status && eq(bookings.status, sql.placeholder('status')),
    f.kind && eq(bookings.kind, sql.placeholder('kind')),
  )
const ownShape = (f: OwnFilter) =>
  `own_bookings${f.status ? '_status' : ''}${f.kind ? '_kind' : ''}`
const ownValues = (f: OwnFilter) => ({ user_id: f.userId, status: f.status, kind: f.kind })

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

const page = (db: Db, where: SQL | undefined, window: PageWindow) =>
  db
    .select(bookingColumns)
    .from(bookings)
    .where(and(where, window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)

const total = (db: Db, where: SQL | undefined) =>
  db.select({ n: count() }).from(bookings).where(where)

export const listOwnBookings = (
  db: Db,
  filter: OwnFilter,
  window: PageWindow,
): Promise<BookingRow[]> =>
  preparedPage(
    db,
    ownShape(filter),
    window,
    (w) => page(db, ownWhere(filter), w),
    ownValues(filter),
  )

export async function countOwnBookings(db: Db, filter: OwnFilter): Promise<number> {
  const counted = preparedOnce(db, `count_${ownShape(filter)}`, (name) =>
    total(db, ownWhere(filter)).prepare(name),
  )
  const [row] = await counted.execute(ownValues(filter))
  return row?.n ?? 0
}

/**
 * Admin filters combine freely and their date ranges vary in selectivity by orders of magnitude, so
 * their queries stay unprepared: PostgreSQL plans each with its values, never one generic plan.
 */
export const listAllBookings = (
  db: Db,
  filter: AdminFilter,
  window: PageWindow,
): Promise<BookingRow[]> => page(db, adminWhere(filter), window).execute()

export async function countAllBookings(db: Db, filter: AdminFilter): Promise<number> {
  const [row] = await total(db, adminWhere(filter))
  return row?.n ?? 0
}
