import { describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { withFreshDatabase } from '../support/fresh-database'

const tables = [
  'booking_items',
  'bookings',
  'gallery_images',
  'idempotency_keys',
  'items',
  'rack_order_items',
  'rack_orders',
  'regular_programs',
  'uploads',
  'users',
  'venue_booking_rules',
  'venue_occupancies',
  'venues',
]

describe('migrations', () => {
  test('apply to an empty database and change nothing the second time', async () => {
    await withFreshDatabase(async (database) => {
      await migrate(database)
      const found = await queryRows<{ table_name: string }>(
        database.db,
        sql`select table_name from information_schema.tables
             where table_schema = 'public' order by table_name`,
      )
      expect(found.map((t) => t.table_name)).toEqual(tables)

      const snapshot = sql`select (select count(*) from drizzle.__drizzle_migrations)::int as applied,
                                  (select count(*) from pg_indexes where schemaname = 'public')::int as indexes,
                                  (select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace
                                    where n.nspname = 'public')::int as constraints`
      const [before] = await queryRows<Record<string, number>>(database.db, snapshot)
      await migrate(database)
      const [after] = await queryRows<Record<string, number>>(database.db, snapshot)
      expect(after).toEqual(before!)
      expect(before!.applied).toBeGreaterThanOrEqual(2)
    })
  }, 60_000)
})
