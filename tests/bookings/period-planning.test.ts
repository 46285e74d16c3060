import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { openDatabase, type Database } from '../../src/db/client'
import {
  latestStartFirst,
  listAllBookings,
  listOwnBookings,
} from '../../src/services/bookings/list-bookings'
import { sharedDatabase, testEnv, usingPostgres } from '../support/app'

// PGlite sends every statement unnamed: there is no plan to keep.
describe.skipIf(!usingPostgres)('planning of the booking lists on PostgreSQL', () => {
  let one: Database

  beforeAll(async () => {
    await sharedDatabase() // migrated
    // One connection, so the statements it prepared are the ones pg_prepared_statements lists.
    one = openDatabase(testEnv({ DB_POOL_SIZE: '1', DB_MAX_OVERFLOW: '0' }))
  })
  afterAll(async () => {
    await one.close()
  })

  test('a period is planned for its own range on every run; a user list keeps its plan', async () => {
    const spec = { size: 5, offset: 0, countUpTo: 100 }
    const week = { from: new Date('2030-01-07T00:00:00Z'), to: new Date('2030-01-14T00:00:00Z') }
    const years = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2040-01-01T00:00:00Z') }
    for (let run = 0; run < 6; run++) {
      await listAllBookings(one.db, week, spec, latestStartFirst)
      await listAllBookings(one.db, { ...week, status: 'confirmed' }, spec, latestStartFirst)
    }
    const wide = await listAllBookings(one.db, years, spec, latestStartFirst)
    await listOwnBookings(one.db, { userId: 1 }, spec)

    expect(wide.counted).toBeGreaterThanOrEqual(0)
    const statements = (await one.sql!`select statement from pg_prepared_statements`).map(
      (row) => row.statement as string,
    )
    expect(statements.filter((s) => s.includes('tstzrange('))).toEqual([])
    expect(statements.some((s) => s.includes('"bookings"."user_id" = $1'))).toBe(true)
  })
})
