import { and, eq, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import {
  inWindow,
  readPage,
  type Keyset,
  type Page,
  type PageSpec,
  type PageWindow,
} from '../../db/keyset'
import { preparedCount, preparedPage, type Planning } from '../../db/prepared'
import { bookings } from '../../db/schema'
import {
  bookingFields,
  withItems,
  type Booking,
  type BookingRecord,
  type BookingRow,
  type BookingStatus,
} from './booking-columns'

export type { BookingStatus } from './booking-columns'

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

/** Newest first: the keyset of bookings_user_id_id_idx. */
export const newestFirst: Keyset<BookingRecord> = {
  sort: bookings.id,
  id: bookings.id,
  direction: 'desc',
  key: (b) => [b.id, b.id],
}

/** By start, then id: the keysets of bookings_start_datetime_idx (start_datetime, id). */
const byStart = (direction: 'asc' | 'desc'): Keyset<BookingRecord> => ({
  sort: bookings.startDatetime,
  id: bookings.id,
  direction,
  sortType: 'timestamptz',
  key: (b) => [b.start_datetime, b.id],
})
export const latestStartFirst = byStart('desc')
export const earliestStartFirst = byStart('asc')

/**
 * A filter as SQL and the name of its shape: one prepared statement per shape, whose condition
 * is built only when the statement is (a page's request needs only the values).
 */
interface Shape {
  name: string
  where: () => SQL | undefined
  values: Record<string, unknown>
  planning: Planning
}

/** The own filter with placeholders (`user_id`, `status`, `kind`) for the conditions it uses. */
function ownShape(f: OwnFilter): Shape {
  return {
    name: `own_bookings${f.status ? '_status' : ''}${f.kind ? '_kind' : ''}`,
    where: () =>
      and(
        eq(bookings.userId, sql.placeholder('user_id')),
        f.status && eq(bookings.status, sql.placeholder('status')),
        f.kind && eq(bookings.kind, sql.placeholder('kind')),
      ),
    values: { user_id: f.userId, status: f.status, kind: f.kind },
    planning: 'shared',
  }
}

type Bind = (name: string, value: string | number) => SQL | Placeholder

/**
 * The admin filters, each value through `bind`: placeholders for the prepared lists, bound values
 * for the export (whose COPY writes them in as literals). Overlap with [from, to) is written
 * twice: as range overlap, which bookings_period_idx (gist) serves when the period is narrow, and
 * as plain bounds, which let the start_datetime btree walk a wide period in page order. The
 * planner picks by selectivity.
 */
function adminConditions(f: AdminFilter, bind: Bind): SQL | undefined {
  const instant = (name: string, at?: Date) =>
    at ? sql`${bind(name, at.toISOString())}::timestamptz` : sql`null::timestamptz`
  const period = sql`tstzrange(${bookings.startDatetime}, ${bookings.endDatetime}, '[)')`
  return and(
    f.status && sql`${bookings.status} = ${bind('status', f.status)}`,
    f.venueId !== undefined ? sql`${bookings.venueId} = ${bind('venue_id', f.venueId)}` : undefined,
    f.userId !== undefined ? sql`${bookings.userId} = ${bind('user_id', f.userId)}` : undefined,
    f.from || f.to
      ? and(
          sql`${period} && tstzrange(${instant('from', f.from)}, ${instant('to', f.to)}, '[)')`,
          f.to && sql`${bookings.startDatetime} < ${instant('to', f.to)}`,
          f.from && sql`${bookings.endDatetime} > ${instant('from', f.from)}`,
        )
      : undefined,
  )
}

/** [from, to) holds no instant: nothing overlaps it (and tstzrange would refuse it). */
const emptyPeriod = (f: AdminFilter) => Boolean(f.from && f.to && f.from >= f.to)

/** The admin filters with their values bound: the export's, whose COPY inlines them. */
export const adminWhere = (f: AdminFilter): SQL | undefined =>
  emptyPeriod(f) ? sql`false` : adminConditions(f, (_, value) => sql`${value}`)

function adminShape(f: AdminFilter): Shape {
  const flag = (on: unknown, letter: string) => (on === undefined ? '' : letter)
  const letters =
    flag(f.status, 's') + flag(f.venueId, 'v') + flag(f.userId, 'u') + flag(f.from, 'f') +
    flag(f.to, 't')
  return {
    name: `all_bookings_${letters || 'any'}`,
    where: () => adminConditions(f, (name) => sql.placeholder(name)),
    values: {
      status: f.status,
      venue_id: f.venueId,
      user_id: f.userId,
      from: f.from?.toISOString(),
      to: f.to?.toISOString(),
    },
    // A generic plan of a period is the gist index for any range: read whole (1,000,000 rows,
    // 400 ms) to count a ten-year one, which a scan stopping at the bound counts in 6 ms. It was
    // kept after narrow ranges were listed (EXPLAIN, 2026-12-03), so periods plan per run.
    planning: f.from || f.to ? 'per-run' : 'shared',
  }
}

/**
 * A page of bookings as their JSON, built once per filter shape, keyset and window shape (see
 * `preparedPage`) and prepared, but for a period, which is planned for its range on each run.
 */
const pageOf = (db: Db, shape: Shape, window: PageWindow): Promise<BookingRecord[]> =>
  preparedPage(
    db,
    shape.name,
    window,
    (w) => inWindow(db.select(bookingFields).from(bookings).$dynamic(), shape.where(), w),
    shape.values,
    'unmapped',
    shape.planning,
  )

const countOf = (db: Db, shape: Shape, upTo: number) =>
  preparedCount(db, shape.name, bookings, shape.where, shape.values, upTo, shape.planning)

/** A page of bookings, each with its items, and the total when the spec asks for it. */
function listed(db: Db, shape: Shape, spec: PageSpec, keyset: Keyset<BookingRecord>) {
  return readPage(
    spec,
    keyset,
    async (window) => withItems(db, await pageOf(db, shape, window), spec.size),
    (upTo) => countOf(db, shape, upTo),
  ) as Promise<Page<Booking>>
}

export const selectOwnBookings = (db: Db, filter: OwnFilter, window: PageWindow) =>
  pageOf(db, ownShape(filter), window)

export const countOwnBookings = (db: Db, filter: OwnFilter, upTo: number) =>
  countOf(db, ownShape(filter), upTo)

/** The caller's bookings, newest first. */
export const listOwnBookings = (db: Db, filter: OwnFilter, spec: PageSpec) =>
  listed(db, ownShape(filter), spec, newestFirst)

export const selectAllBookings = (db: Db, filter: AdminFilter, window: PageWindow) =>
  emptyPeriod(filter) ? Promise.resolve([]) : pageOf(db, adminShape(filter), window)

export const countAllBookings = (db: Db, filter: AdminFilter, upTo: number) =>
  emptyPeriod(filter) ? Promise.resolve(0) : countOf(db, adminShape(filter), upTo)

/** Anyone's bookings in the order of `keyset` (`latestStartFirst` or `earliestStartFirst`). */
export function listAllBookings(
  db: Db,
  filter: AdminFilter,
  spec: PageSpec,
  keyset: Keyset<BookingRecord>,
): Promise<Page<Booking>> {
  if (emptyPeriod(filter)) return Promise.resolve({ rows: [], nextKey: null, counted: 0 })
  return listed(db, adminShape(filter), spec, keyset)
}
