import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sql } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { isTransientConflict } from '../../src/db/errors'
import { contentionProblem } from '../../src/http/problem'
import { MAX_ATTEMPTS, transaction, type Tx } from '../../src/db/transaction'
import { testApp, uniq, usingPostgres, type TestApp } from '../support/app'

let t: TestApp
const made: number[] = []

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  if (made.length) await t.database.db.delete(items).where(inArray(items.id, made))
})

/** Makes the database itself refuse the transaction with this SQLSTATE. */
const raise = (tx: Tx, code: string) =>
  tx.execute(sql.raw(`do $$ begin raise exception 'refused' using errcode = '${code}'; end $$`))

describe('the transaction helper', () => {
  for (const [code, what] of [
    ['40001', 'a serialization failure'],
    ['40P01', 'a deadlock'],
    ['55P03', 'a lock timeout'],
  ]) {
    test(`runs the work again after ${what} (${code}) and answers its result`, async () => {
      let attempts = 0
      const result = await transaction(t.database.db, async (tx) => {
        attempts++
        if (attempts < MAX_ATTEMPTS) await raise(tx, code!)
        return 'done'
      })
      expect({ result, attempts }).toEqual({ result: 'done', attempts: MAX_ATTEMPTS })
    })
  }

  test('a change that keeps colliding is a 503 with Retry-After after bounded tries', async () => {
    let attempts = 0
    const failure = await transaction(t.database.db, async (tx) => {
      attempts++
      await raise(tx, '40P01')
    }).catch((error: unknown) => error)
    expect(isTransientConflict(failure)).toBe(true)
    const res = contentionProblem(failure).getResponse()
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(attempts).toBe(MAX_ATTEMPTS)
  })

  test('other errors are not retried: a unique violation fails at once', async () => {
    let attempts = 0
    const failure = await transaction(t.database.db, async (tx) => {
      attempts++
      await raise(tx, '23505')
    }).catch((error: unknown) => error)
    expect(isTransientConflict(failure)).toBe(false)
    expect(attempts).toBe(1)
  })

  test.skipIf(!usingPostgres)(
    'two transactions that lock the same rows in opposite orders both commit',
    async () => {
      const rows = await t.database.db
        .insert(items)
        .values(
          [0, 1].map((i) => ({
            name: `Lock ${i} ${uniq()}`,
            kind: 'rental' as const,
            priceCents: 1,
            stock: 1,
          })),
        )
        .returning({ id: items.id })
      const [a, b] = rows.map((r) => r.id) as [number, number]
      made.push(a, b)
      let arrived = 0
      let release!: () => void
      const bothLocked = new Promise<void>((resolve) => (release = resolve))
      const lockBoth = (first: number, second: number) =>
        transaction(t.database.db, async (tx) => {
          await tx.select().from(items).where(eq(items.id, first)).for('update')
          // Only the first attempts wait for each other; a retry goes straight on.
          if (++arrived === 2) release()
          await bothLocked
          await tx.update(items).set({ stock: sql`${items.stock} + 1` }).where(eq(items.id, second))
          return first
        })
      expect(await Promise.all([lockBoth(a, b), lockBoth(b, a)])).toEqual([a, b])
      const stocks = await t.database.db
        .select({ stock: items.stock })
        .from(items)
        .where(inArray(items.id, [a, b]))
      expect(stocks.map((s) => s.stock)).toEqual([2, 2])
    },
    20_000,
  )
})
