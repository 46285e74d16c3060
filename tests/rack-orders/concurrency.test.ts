import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sum } from 'drizzle-orm'
import { items, rackOrderItems } from '../../src/db/schema'
import { readJson, testApp, uniq, usingPostgres, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { insertUsers, type BulkUser } from '../support/bulk-users'

const BUYERS = 120
const LEFT = 7

let t: TestApp
let admin: TestUser
let buyers: BulkUser[] = []
const itemIds: number[] = []

beforeAll(async () => {
  if (!usingPostgres) return
  t = await testApp()
  admin = await makeUser(t, 'admin')
  buyers = await insertUsers(t, BUYERS)
})

afterAll(async () => {
  if (!usingPostgres) return
  await removeUsers(t, [admin.id, ...buyers.map((b) => b.id)])
  if (itemIds.length) await t.database.db.delete(items).where(inArray(items.id, itemIds))
})

describe('concurrent buying (PostgreSQL)', () => {
  test.skipIf(!usingPostgres)(
    `the last ${LEFT} units go to exactly ${LEFT} of ${BUYERS} concurrent buyers`,
    async () => {
      const created = await t.app.request(
        '/api/admin/items',
        jsonInit(
          'POST',
          { name: `Last shirts ${uniq()}`, kind: 'merchandise', price_cents: 900, stock: LEFT },
          admin.auth,
        ),
      )
      const item = await readJson(created)
      itemIds.push(item.id)

      const server = serve(t)
      let responses: { status: number; body: any }[]
      try {
        responses = await Promise.all(
          buyers.map(async (buyer) => {
            const res = await fetch(
              `${server.url}/api/rack-orders`,
              jsonInit('POST', { items: [{ item_id: item.id, quantity: 1 }] }, buyer.auth),
            )
            return { status: res.status, body: await res.json() }
          }),
        )
      } finally {
        server.stop()
      }

      const statuses = responses.map((r) => r.status)
      expect(statuses.filter((s) => s === 201)).toHaveLength(LEFT)
      expect(statuses.filter((s) => s === 409)).toHaveLength(BUYERS - LEFT)
      for (const refused of responses.filter((r) => r.status === 409)) {
        expect(refused.body).toMatchObject({ item_id: item.id, available: 0 })
      }

      const after = await readJson(await t.app.request(`/api/items/${item.id}`))
      expect(after.stock).toBe(0)
      const [sold] = await t.database.db
        .select({ units: sum(rackOrderItems.quantity).mapWith(Number) })
        .from(rackOrderItems)
        .where(eq(rackOrderItems.itemId, item.id))
      expect(sold!.units).toBe(LEFT)
    },
    60_000,
  )
})
