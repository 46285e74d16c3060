import { describe, expect, test } from 'bun:test'
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { insertBulkBookings } from '../../src/db/seed/bulk-bookings'
import { upsertDemoData } from '../../src/db/seed/demo-data'
import { withFreshDatabase } from '../support/fresh-database'

const BOOKINGS = 300_000

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

async function plan(database: Database, query: SQL): Promise<PlanNode[]> {
  const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(
    database.db,
    sql`explain (format json) ${query}`,
  )
  const raw = row!['QUERY PLAN']
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[]
  return nodes(parsed[0]!.Plan)
}

async function expectIndex(database: Database, query: SQL, index: string) {
  const found = await plan(database, query)
  expect(found.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([])
  expect(found.map((n) => n['Index Name']).filter(Boolean)).toContain(index)
}

describe('list queries are served by indexes on a large table', () => {
  test(`with ${BOOKINGS} bookings, no list query scans a whole table`, async () => {
    await withFreshDatabase(async (database) => {
      await migrate(database)
      const demo = await upsertDemoData(database.db, { users: 500, bookings: BOOKINGS })
      await insertBulkBookings(database.db, {
        count: BOOKINGS,
        ...demo,
        startAt: new Date(Date.UTC(2025, 0, 1)),
      })
      await database.db.execute(sql`
        insert into rack_orders (user_id, status, total_cents)
        select (${sql.raw(`array[${demo.userIds.join(',')}]`)})[1 + n % ${demo.userIds.length}],
               (array['paid','fulfilled','cancelled'])[1 + n % 3]::rack_order_status, 1000
          from generate_series(1, 50000) as n`)
      await database.db.execute(sql`analyze`)
      const userId = demo.userIds[7]!
      const [someBooking] = await queryRows<{ id: number }>(
        database.db,
        sql`select id from bookings where id in (select booking_id from booking_items) limit 1`,
      )

      await expectIndex(
        database,
        sql`select id, start_datetime, status from bookings where user_id = ${userId}
             order by id desc limit 50`,
        'bookings_user_id_id_idx',
      )
      await expectIndex(
        database,
        sql`select id, start_datetime from bookings where user_id = ${userId} and status = 'cancelled'`,
        'bookings_user_id_status_idx',
      )
      await expectIndex(
        database,
        sql`select id, venue_id, start_datetime, end_datetime from bookings
             where start_datetime < '2025-03-08T00:00:00Z' and end_datetime > '2025-03-01T00:00:00Z'
             order by start_datetime, id limit 50`,
        'bookings_start_datetime_idx',
      )
      await expectIndex(
        database,
        sql`select id, item_id, quantity, unit_price_cents from booking_items
             where booking_id = ${someBooking!.id}`,
        'booking_items_booking_id_idx',
      )
      await expectIndex(
        database,
        sql`select id, status, total_cents from rack_orders where user_id = ${userId}
             and status = 'paid'`,
        'rack_orders_user_id_status_idx',
      )
    })
  }, 240_000)
})
