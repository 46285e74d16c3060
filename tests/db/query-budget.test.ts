import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { openDatabase, type Database } from '../../src/db/client'
import { isDatabaseOutage } from '../../src/db/errors'
import { venues } from '../../src/db/schema'
import { transaction } from '../../src/db/transaction'
import { testEnv, uniq, usingPostgres } from '../support/app'

const NOT_ON_PGLITE = 'the query budget (PostgreSQL only: PGlite has no pool to wait for)'
const BUDGET_MS = 300

describe.skipIf(!usingPostgres)(NOT_ON_PGLITE, () => {
  let database: Database

  beforeAll(() => {
    // One connection, so a transaction waits for it as under a burst that takes the whole pool.
    database = openDatabase(
      testEnv({ DB_QUERY_TIMEOUT_MS: String(BUDGET_MS), DB_POOL_SIZE: '1', DB_MAX_OVERFLOW: '0' }),
    )
  })
  afterAll(async () => {
    await database.close()
  })

  test('a transaction still waiting for a connection when its time is up never runs', async () => {
    const name = `Budget hall ${uniq()}`
    // The pool's one connection, held by another caller past the budget.
    const held = await database.sql!.reserve()
    let ran = false
    const waiting = transaction(database.db, async (tx) => {
      ran = true
      await tx.insert(venues).values({ name, capacity: 1, hourlyPriceCents: 100 })
    })
    const outcome = await waiting.then(
      () => 'committed',
      (error: unknown) => (isDatabaseOutage(error) ? 'outage' : error),
    )
    // The caller is answered 503: what it asked for must not happen after that.
    expect(outcome).toBe('outage')
    held.release()
    await Bun.sleep(BUDGET_MS * 2)
    const written = await database.db
      .select({ id: venues.id })
      .from(venues)
      .where(eq(venues.name, name))
    await database.db.delete(venues).where(eq(venues.name, name))
    expect({ ran, written }).toEqual({ ran: false, written: [] })
  })
})
