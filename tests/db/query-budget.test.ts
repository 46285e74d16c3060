import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
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

  test('a write sent while its connection is busy never runs after its caller got 503', async () => {
    const name = `Busy hall ${uniq()}`
    // The one connection stays busy past the budget, two statements in flight: the driver
    // pipelines a third behind them.
    const sleep = () =>
      database.db.execute(sql`select pg_sleep(${(BUDGET_MS * 0.8) / 1000})`).catch(() => {})
    const busy = Promise.all([sleep(), sleep()])
    await Bun.sleep(20)
    const outcome = await database.db
      .insert(venues)
      .values({ name, capacity: 1, hourlyPriceCents: 100 })
      .then(
        () => 'written',
        (error: unknown) => (isDatabaseOutage(error) ? 'outage' : error),
      )
    expect(outcome).toBe('outage')
    await busy
    await Bun.sleep(BUDGET_MS)
    const written = await database.db
      .select({ id: venues.id })
      .from(venues)
      .where(eq(venues.name, name))
    await database.db.delete(venues).where(eq(venues.name, name))
    expect(written).toEqual([])
  })

  test('a read or a write with a connection free runs within the budget', async () => {
    const name = `Free hall ${uniq()}`
    const created = await database.db
      .insert(venues)
      .values({ name, capacity: 1, hourlyPriceCents: 100 })
      .returning({ id: venues.id })
      .then(([row]) => row!)
    const [read] = await database.db
      .select({ name: venues.name })
      .from(venues)
      .where(eq(venues.id, created.id))
    const deleted = await database.db
      .delete(venues)
      .where(eq(venues.id, created.id))
      .returning({ id: venues.id })
    expect({ read, deleted }).toEqual({ read: { name }, deleted: [created] })
  })
})
