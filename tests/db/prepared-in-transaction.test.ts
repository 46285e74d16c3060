import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sql } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { inTransaction, preparedOnce } from '../../src/db/prepared'
import { testApp, uniq, type TestApp } from '../support/app'

let t: TestApp
const made: number[] = []

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  if (made.length) await t.database.db.delete(items).where(inArray(items.id, made))
})

class Rollback extends Error {}

const stockOf = () => {
  const { db } = t.database
  return preparedOnce(db, 'test_item_stock', (name) =>
    db
      .select({ stock: items.stock })
      .from(items)
      .where(eq(items.id, sql.placeholder('id')))
      .prepare(name),
  )
}

describe('a prepared statement run in a transaction', () => {
  test('sees what the transaction wrote, and the pool does not until it commits', async () => {
    const { db } = t.database
    const [item] = await db
      .insert(items)
      .values({ name: `Ball ${uniq()}`, kind: 'rental', priceCents: 100, stock: 3 })
      .returning({ id: items.id })
    made.push(item!.id)
    const seen: number[] = []
    await db
      .transaction(async (tx) => {
        await tx.update(items).set({ stock: 7 }).where(eq(items.id, item!.id))
        for (let i = 0; i < 2; i++) {
          const [row] = await inTransaction(stockOf(), tx).execute({ id: item!.id })
          seen.push(row!.stock)
        }
        throw new Rollback()
      })
      .catch((error) => {
        if (!(error instanceof Rollback)) throw error
      })
    expect(seen).toEqual([7, 7])
    // The statement itself still runs on the pool, and the write was rolled back.
    expect(await stockOf().execute({ id: item!.id })).toEqual([{ stock: 3 }])
  })
})
