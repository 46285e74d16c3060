import { describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { queryRows, type Database, type Db } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import * as schema from '../../src/db/schema'
import { insertBulkBookings } from '../../src/seed/bulk-bookings'
import { upsertDemoData } from '../../src/seed/demo-data'
import { keysetWindow, type PageWindow } from '../../src/db/keyset'
import { withItems } from '../../src/services/bookings/booking-columns'
import { createBooking } from '../../src/services/bookings/create-booking'
import {
  itemsNewestFirst,
  selectBookingItems,
} from '../../src/services/bookings/list-booking-items'
import {
  countAllBookings,
  countOwnBookings,
  latestStartFirst,
  newestFirst,
  selectAllBookings,
  selectOwnBookings,
} from '../../src/services/bookings/list-bookings'
import { listOrders } from '../../src/services/rack-orders/rack-orders'
import { occupanciesBlocking } from '../../src/services/venues/occupancy'
import { aroundTheClock } from '../bookings/fixtures'
import { withFreshDatabase } from '../support/fresh-database'

const BOOKINGS = 300_000
const RACK_ORDERS = 50_000

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  Plans?: PlanNode[]
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)]

/** A second handle on the same database that remembers the SQL the services send. */
function recording(database: Database) {
  const sent: { query: string; params: unknown[] }[] = []
  const logger = {
    logQuery: (query: string, params: unknown[]) => void sent.push({ query, params }),
  }
  const db = (
    database.sql
      ? drizzlePostgres({ client: database.sql, schema, logger })
      : drizzlePglite({ client: database.pglite!, schema, logger })
  ) as unknown as Db
  return { db, sent }
}

async function planOf(database: Database, query: string, params: unknown[]): Promise<PlanNode[]> {
  const text = `explain (format json) ${query}`
  const rows = database.sql
    ? await database.sql.unsafe(text, params as never[])
    : (await database.pglite!.query<Record<string, unknown>>(text, params)).rows
  const raw = (rows[0] as Record<string, unknown>)['QUERY PLAN']
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[]
  return nodes(parsed[0]!.Plan)
}

const literal = (value: unknown) =>
  typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`

/**
 * The plan PostgreSQL keeps for a prepared statement once it stops planning per execution: the
 * generic one, forced here, planned without the parameters' values.
 */
async function genericPlanOf(database: Database, query: string, params: unknown[]) {
  const steps = [
    'set plan_cache_mode = force_generic_plan',
    `prepare plan_probe as ${query}`,
    `explain (format json) execute plan_probe(${params.map(literal).join(', ')})`,
  ]
  const cleanup = ['deallocate plan_probe', 'reset plan_cache_mode']
  let raw: unknown
  if (database.sql) {
    const connection = await database.sql.reserve()
    try {
      for (const step of steps) raw = (await connection.unsafe(step))[0]?.['QUERY PLAN']
      for (const step of cleanup) await connection.unsafe(step)
    } finally {
      connection.release()
    }
  } else {
    for (const step of steps) {
      raw = (await database.pglite!.query<Record<string, unknown>>(step)).rows[0]?.['QUERY PLAN']
    }
    for (const step of cleanup) await database.pglite!.query(step)
  }
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[]
  return nodes(parsed[0]!.Plan)
}

const firstPage = (orderBy: ReturnType<typeof sql>[]): PageWindow => ({
  after: undefined,
  orderBy,
  limit: 51,
  offset: 0,
})

describe('list queries are served by indexes on a large table', () => {
  test(`with ${BOOKINGS} bookings and ${RACK_ORDERS} rack orders, no list query scans a table`, async () => {
    await withFreshDatabase(async (database) => {
      await migrate(database)
      const demo = await upsertDemoData(database.db, { users: 200, bookings: BOOKINGS })
      const startAt = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1))
      await insertBulkBookings(database.db, { count: BOOKINGS, ...demo, startAt })
      await database.db.execute(sql`
        insert into rack_orders (user_id, status, total_cents)
        select (${sql.raw(`array[${demo.userIds.join(',')}]::bigint[]`)})[1 + n % ${demo.userIds.length}],
               (array['pending','paid','fulfilled','cancelled'])[1 + n % 4]::rack_order_status, 1000
          from generate_series(1, ${RACK_ORDERS}) as n`)
      await database.db.execute(sql`analyze`)
      const { db, sent } = recording(database)
      const userId = demo.userIds[7]!
      const venueId = demo.venueIds[1]!
      const itemId = demo.rentalItemIds[0]!
      const [someBooking] = await queryRows<{ id: number }>(
        database.db,
        sql`select booking_id as id from booking_items limit 1`,
      )
      const byItemId = [sql`${schema.bookingItems.id} desc`]
      const firstOwnPage = keysetWindow(newestFirst, undefined, 51)
      const byStart = [sql`${schema.bookings.startDatetime} desc`, sql`${schema.bookings.id} desc`]
      const from = new Date(Date.now() + 30 * 86_400_000)
      const to = new Date(from.getTime() + 86_400_000)

      const byOrderId = [sql`${schema.rackOrders.id} desc`]
      const fromTable = (table: string) => (q: string) => q.includes(`from "${table}"`)
      const expectations: [string, () => Promise<unknown>, string[], ((q: string) => boolean)?][] = [
        [
          'own rack orders',
          () => listOrders(db, { userId }, firstPage(byOrderId)),
          ['rack_orders_user_id_id_idx'],
          fromTable('rack_orders'),
        ],
        [
          'own rack orders by status',
          () => listOrders(db, { userId, status: 'paid' }, firstPage(byOrderId)),
          ['rack_orders_user_id_status_idx', 'rack_orders_user_id_id_idx'],
          fromTable('rack_orders'),
        ],
        [
          'admin rack orders',
          () => listOrders(db, {}, firstPage(byOrderId)),
          ['rack_orders_pkey'],
          fromTable('rack_orders'),
        ],
        [
          'admin rack orders by status',
          () => listOrders(db, { status: 'pending' }, firstPage(byOrderId)),
          // a common status's newest rows are found as fast by walking the primary key backwards
          ['rack_orders_status_id_idx', 'rack_orders_pkey'],
          fromTable('rack_orders'),
        ],
        [
          'own list',
          () => selectOwnBookings(db, { userId }, firstOwnPage),
          ['bookings_user_id_id_idx'],
        ],
        [
          'own list by status',
          () => selectOwnBookings(db, { userId, status: 'cancelled' }, firstOwnPage),
          ['bookings_user_id_status_idx', 'bookings_user_id_id_idx'],
        ],
        [
          'admin list',
          () => selectAllBookings(db, {}, firstPage(byStart)),
          ['bookings_start_datetime_idx'],
        ],
        [
          'admin list by venue',
          () => selectAllBookings(db, { venueId }, firstPage(byStart)),
          // with few venues, walking the start index backwards is as good as the venue's index
          ['bookings_venue_id_start_datetime_idx', 'bookings_start_datetime_idx'],
        ],
        [
          'admin list by user',
          () => selectAllBookings(db, { userId }, firstPage(byStart)),
          ['bookings_user_id_id_idx', 'bookings_user_id_status_idx', 'bookings_start_datetime_idx'],
        ],
        [
          'admin list by status',
          () => selectAllBookings(db, { status: 'pending' }, firstPage(byStart)),
          ['bookings_status_start_datetime_idx', 'bookings_start_datetime_idx'],
        ],
        [
          'admin list from/to',
          () => selectAllBookings(db, { from, to }, firstPage(byStart)),
          ['bookings_start_datetime_idx', 'bookings_period_idx'],
        ],
        [
          // the total of a narrow period must not read every booking that starts before its end
          'admin count from/to',
          () => countAllBookings(db, { from, to }, 10_000),
          ['bookings_period_idx'],
        ],
        [
          'booking items by item',
          () =>
            selectBookingItems(db, { itemId }, firstPage(byItemId)),
          // a popular item's newest rows are found as fast by walking the primary key backwards
          ['booking_items_item_id_idx', 'booking_items_pkey'],
        ],
        [
          'booking items by booking',
          () =>
            selectBookingItems(db, { bookingId: someBooking!.id }, firstPage(byItemId)),
          ['booking_items_booking_id_idx', 'booking_items_booking_item_key'],
        ],
        [
          'items of a page',
          () => withItems(db, [{ id: someBooking!.id }, { id: someBooking!.id + 1 }]),
          ['booking_items_booking_id_idx', 'booking_items_booking_item_key'],
        ],
        [
          'rental stock of a slot',
          async () => {
            // A slot past the seeded years: the venue takes bookings that far ahead.
            await database.db
              .insert(schema.venueBookingRules)
              .values({ venueId, ...aroundTheClock, maxAdvanceDays: 36_500 })
            await createBooking(db, {
              userId,
              venueId,
              start: new Date(Date.UTC(2099, 0, 1, 10)),
              end: new Date(Date.UTC(2099, 0, 1, 11)),
              items: [{ itemId, quantity: 1 }],
              notes: null,
            })
            const stock = sent.findLast((s) => s.query.includes('sum('))!
            sent.push(stock)
          },
          ['bookings_active_period_idx'],
        ],
        [
          'occupancies of a venue over a month (availability)',
          () => occupanciesBlocking(db, venueId, from, new Date(from.getTime() + 31 * 86_400_000)),
          ['venue_occupancies_no_overlap'],
          fromTable('venue_occupancies'),
        ],
      ]

      // A page's items go as one array parameter, whatever the page's length.
      await withItems(db, [{ id: 1 }, { id: 2 }, { id: 3 }])
      expect(sent.at(-1)!.query).toContain('= any($1::bigint[])')
      expect(sent.at(-1)!.params).toEqual(['{1,2,3}'])

      for (const [name, run, allowed, pick] of expectations) {
        const before = sent.length
        await run()
        const { query, params } = pick ? sent.slice(before).find((s) => pick(s.query))! : sent.at(-1)!
        const plan = await planOf(database, query, params)
        const used = plan.map((n) => n['Index Name']).filter(Boolean)
        // the name rides along so a failure says which query it was
        const seqScans = plan.filter((n) => n['Node Type'] === 'Seq Scan').length
        expect({ name, seqScans }).toEqual({ name, seqScans: 0 })
        const served = used.some((index) => allowed.includes(index!))
        expect({ name, served, used }).toEqual({ name, served: true, used })
      }

      // The hot reads are prepared statements: after a few runs PostgreSQL may keep one generic
      // plan for them, made without the values, and that plan must stay on the index too.
      const prepared: [string, () => Promise<unknown>, string[]][] = [
        [
          'own list, cursor page',
          () => selectOwnBookings(db, { userId }, keysetWindow(newestFirst, [1e9, 1e9], 51)),
          ['bookings_user_id_id_idx'],
        ],
        [
          'own list by status',
          () => selectOwnBookings(db, { userId, status: 'cancelled' }, firstOwnPage),
          ['bookings_user_id_status_idx', 'bookings_user_id_id_idx'],
        ],
        [
          'own list, offset page',
          () => selectOwnBookings(db, { userId }, keysetWindow(newestFirst, undefined, 51, 500)),
          ['bookings_user_id_id_idx'],
        ],
        [
          'own count',
          () => countOwnBookings(db, { userId }, 10_000),
          ['bookings_user_id_status_idx', 'bookings_user_id_id_idx'],
        ],
        [
          'items of a page',
          () => withItems(db, [{ id: someBooking!.id }, { id: someBooking!.id + 1 }]),
          ['booking_items_booking_id_idx', 'booking_items_booking_item_key'],
        ],
        [
          'admin list',
          () => selectAllBookings(db, {}, keysetWindow(latestStartFirst, undefined, 51)),
          ['bookings_start_datetime_idx'],
        ],
        [
          'admin list, cursor page',
          () =>
            selectAllBookings(
              db,
              {},
              keysetWindow(latestStartFirst, [new Date().toISOString(), 1e9], 51),
            ),
          ['bookings_start_datetime_idx'],
        ],
        [
          'booking items by item',
          () => selectBookingItems(db, { itemId }, keysetWindow(itemsNewestFirst, undefined, 51)),
          ['booking_items_item_id_idx', 'booking_items_pkey'],
        ],
      ]
      for (const [name, run, allowed] of prepared) {
        await run()
        const { query, params } = sent.at(-1)!
        const plan = await genericPlanOf(database, query, params)
        const used = plan.map((n) => n['Index Name']).filter(Boolean)
        const seqScans = plan.filter((n) => n['Node Type'] === 'Seq Scan').length
        expect({ name, generic: true, seqScans }).toEqual({ name, generic: true, seqScans: 0 })
        const served = used.some((index) => allowed.includes(index!))
        expect({ name, generic: true, served, used }).toEqual({
          name,
          generic: true,
          served: true,
          used,
        })
      }
    })
  }, 240_000)
})
