import { desc, eq } from 'drizzle-orm'
import type { Db } from '../../src/db/client'
import { users, venues } from '../../src/db/schema'
import { keysetWindow } from '../../src/db/keyset'
import { withItems } from '../../src/services/bookings/booking-columns'
import { createBooking } from '../../src/services/bookings/create-booking'
import { findBooking, itemsOfBooking } from '../../src/services/bookings/find-booking'
import {
  countAllBookings,
  countOwnBookings,
  latestStartFirst,
  newestFirst,
  selectAllBookings,
  selectOwnBookings,
} from '../../src/services/bookings/list-bookings'
import { venueCents } from '../../src/services/bookings/pricing'
import { venueService } from '../../src/services/venues/venues'
import { only, sqlRecorder, template, type Template } from './recorded-sql'

/** Values no real request carries, so each one marks where its parameter sits in the SQL. */
const S = {
  id: 987_654_321,
  userId: 987_654_322,
  afterId: 987_654_323,
  limit: 7_654,
  offset: 76_543,
  from: '1999-01-01T00:00:00.000Z',
  to: '2098-01-01T00:00:00.000Z',
  afterStart: '1998-06-15T12:34:56.000Z',
}
const bookingIds = '{900000000,900000001}'
/** The app's bound on exact totals (PAGINATION_EXACT_TOTAL_MAX's default). */
const EXACT_TOTAL_MAX = 10_000

/** The public venue reads as the app runs them: their JSON selected in SQL, by id ascending. */
const publicVenueReads = venueService.wire!
const publicVenues = { visibleOnly: true }

export interface CeilingSql {
  bookingById: Template
  itemsOfBooking: Template
  ownPage: Template
  ownCount: Template
  /** Items of a page of bookings: `ids` is PostgreSQL array text, `{1,2,3}`. */
  itemsOfBookings: Template
  venuesPage: Template
  venuesCount: Template
  adminPage: Template
  adminOffsetPage: Template
  adminCursorPage: Template
  adminCount: Template
  createVenue: Template
  createInsert: Template
}

class Rollback extends Error {}

/**
 * Records, through the app's own service functions and query builders, every statement the
 * ceiling server runs: the SQL text is the app's byte for byte, only the values differ.
 */
export async function recordCeilingSql(url: string): Promise<CeilingSql> {
  const rec = sqlRecorder(url)
  try {
    const admin = { from: new Date(S.from), to: new Date(S.to) }
    const itemsOfBookings = only(
      await rec.record((db) => withItems(db, [{ id: 900_000_000 }, { id: 900_000_001 }])),
      { ids: bookingIds },
    )
    return {
      bookingById: only(await rec.record((db) => findBooking(db, S.id)), { id: S.id }),
      itemsOfBooking: only(await rec.record((db) => itemsOfBooking(db, S.id)), { id: S.id }),
      ownPage: only(
        await rec.record((db) =>
          selectOwnBookings(db, { userId: S.userId }, keysetWindow(newestFirst, undefined, S.limit)),
        ),
        { userId: S.userId, limit: S.limit },
      ),
      ownCount: only(await rec.record((db) => countOwnBookings(db, { userId: S.userId }, EXACT_TOTAL_MAX)), {
        userId: S.userId,
      }),
      itemsOfBookings,
      venuesPage: only(
        await rec.record((db) =>
          publicVenueReads.list(
            db,
            {},
            keysetWindow(publicVenueReads.order, undefined, S.limit),
          ),
        ),
        { limit: S.limit },
      ),
      venuesCount: only(
        await rec.record((db) => venueService.count(db, publicVenues, EXACT_TOTAL_MAX)),
        {},
      ),
      adminPage: only(
        await rec.record((db) =>
          selectAllBookings(db, admin, keysetWindow(latestStartFirst, undefined, S.limit)),
        ),
        { from: S.from, to: S.to, limit: S.limit },
      ),
      adminOffsetPage: only(
        await rec.record((db) =>
          selectAllBookings(db, admin, keysetWindow(latestStartFirst, undefined, S.limit, S.offset)),
        ),
        { from: S.from, to: S.to, limit: S.limit, offset: S.offset },
      ),
      adminCursorPage: only(
        await rec.record((db) =>
          selectAllBookings(
            db,
            admin,
            keysetWindow(latestStartFirst, [S.afterStart, S.afterId], S.limit),
          ),
        ),
        { from: S.from, to: S.to, afterStart: S.afterStart, afterId: S.afterId, limit: S.limit },
      ),
      adminCount: only(await rec.record((db) => countAllBookings(db, admin, EXACT_TOTAL_MAX)), {
        from: S.from,
        to: S.to,
      }),
      ...(await recordCreate(rec)),
    }
  } finally {
    await rec.close()
  }
}

/**
 * createBooking's statements for a booking without items, recorded inside a transaction that is
 * rolled back: a real venue and user are needed for the insert to run at all.
 */
async function recordCreate(rec: ReturnType<typeof sqlRecorder>) {
  // The venue benchmark writes book (describeBenchDatabase gives it rules that take any slot).
  const [venue] = await rec.db
    .select({ id: venues.id, hourlyPriceCents: venues.hourlyPriceCents })
    .from(venues)
    .where(eq(venues.isActive, true))
    .orderBy(desc(venues.id))
    .limit(1)
  // The newest user: its id is far from the small venue ids, so the two never look alike.
  const [user] = await rec.db.select({ id: users.id }).from(users).orderBy(desc(users.id)).limit(1)
  if (!venue || !user) throw new Error('the bench database has no active venue or no user')
  // Within the venue's booking window (100 years), after every seeded and benchmark booking.
  const start = new Date('2099-01-01T00:00:00.000Z')
  const end = new Date('2099-01-01T01:00:00.000Z')
  const sentinels = {
    userId: user.id,
    venueId: venue.id,
    start: start.toISOString(),
    end: end.toISOString(),
    total: venueCents(venue.hourlyPriceCents, start, end),
  }
  const statements = await rec.record(async (db) => {
    try {
      await db.transaction(async (tx) => {
        await createBooking(tx as unknown as Db, {
          userId: user.id,
          venueId: venue.id,
          start,
          end,
          items: [],
          notes: null,
        })
        throw new Rollback()
      })
    } catch (error) {
      if (!(error instanceof Rollback)) throw error
    }
  })
  if (statements.length !== 2) {
    throw new Error(`createBooking sent ${statements.length} statements; the ceiling expects 2`)
  }
  return {
    createVenue: template(statements[0]!, { venueId: venue.id }),
    createInsert: template(statements[1]!, sentinels),
  }
}

/** One parameter of a statement written out for a peer in another language. */
export type PeerParam = { slot: string } | { value: unknown }

/**
 * The ceiling's statements as data, for the peers that are not TypeScript (bench/peers/): each
 * statement's text and, per parameter, the name of the value it takes or the constant it holds.
 */
export function peerSql(q: CeilingSql) {
  // Every name is present, and each value says which name it is.
  const marks = new Proxy({}, { has: () => true, get: (_, name) => ({ slot: String(name) }) })
  const describe = (t: Template) => ({
    text: t.text,
    params: t.bind(marks).map((p): PeerParam =>
      p && typeof p === 'object' && 'slot' in p ? (p as { slot: string }) : { value: p },
    ),
  })
  return Object.fromEntries(
    Object.entries(q).map(([name, t]) => [
      name,
      Array.isArray(t) ? t.map(describe) : describe(t as Template),
    ]),
  )
}
