import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sum } from 'drizzle-orm'
import { items, rackOrderItems, rackOrders } from '../../src/db/schema'
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

async function newItem(stock: number): Promise<number> {
  const body = { name: `Racing mugs ${uniq()}`, kind: 'merchandise', price_cents: 400, stock }
  const res = await t.app.request('/api/admin/items', jsonInit('POST', body, admin.auth))
  const { id } = await readJson(res)
  itemIds.push(id)
  return id
}

const stockOf = async (id: number): Promise<number> =>
  (await readJson(await t.app.request(`/api/items/${id}`))).stock

describe('concurrent buying and cancelling (PostgreSQL)', () => {
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

  test.skipIf(!usingPostgres)(
    'of many concurrent cancels of an order, by its buyer and by staff, one puts the stock back',
    async () => {
      const ORDERS = 12
      const CANCELS = 16
      const item = await newItem(ORDERS * 3)
      const placed = await Promise.all(
        buyers.slice(0, ORDERS).map(async (buyer) => {
          const body = { items: [{ item_id: item, quantity: 3 }] }
          const res = await t.app.request('/api/rack-orders', jsonInit('POST', body, buyer.auth))
          return { buyer, order: await readJson(res) }
        }),
      )
      expect(await stockOf(item)).toBe(0)
      const server = serve(t)
      let answers: string[]
      try {
        const calls = placed.flatMap(({ buyer, order }) =>
          Array.from({ length: CANCELS }, async (_, i) => {
            const res =
              i % 2 === 0
                ? await fetch(`${server.url}/api/rack-orders/${order.id}/cancel`, {
                    method: 'POST',
                    headers: buyer.auth,
                  })
                : await fetch(
                    `${server.url}/api/admin/rack-orders/${order.id}`,
                    jsonInit('PATCH', { status: 'cancelled' }, admin.auth),
                  )
            return `${res.status} ${(await readJson(res)).status}`
          }),
        )
        answers = await Promise.all(calls)
      } finally {
        server.stop()
      }
      expect(new Set(answers)).toEqual(new Set(['200 cancelled']))
      expect(await stockOf(item)).toBe(ORDERS * 3)
    },
    60_000,
  )

  test.skipIf(!usingPostgres)(
    'a buyer cancelling while staff mark the order paid: cancelled with its stock back, or paid',
    async () => {
      const ORDERS = 30
      const item = await newItem(ORDERS * 2)
      const placed = await Promise.all(
        buyers.slice(0, ORDERS).map(async (buyer) => {
          const body = { items: [{ item_id: item, quantity: 2 }] }
          const res = await t.app.request('/api/rack-orders', jsonInit('POST', body, buyer.auth))
          return { buyer, order: await readJson(res) }
        }),
      )
      expect(await stockOf(item)).toBe(0)
      const server = serve(t)
      let outcomes: { cancel: number; pay: number }[]
      try {
        outcomes = await Promise.all(
          placed.map(async ({ buyer, order }) => {
            const [cancel, pay] = await Promise.all([
              fetch(`${server.url}/api/rack-orders/${order.id}/cancel`, {
                method: 'POST',
                headers: buyer.auth,
              }),
              fetch(
                `${server.url}/api/admin/rack-orders/${order.id}`,
                jsonInit('PATCH', { status: 'paid' }, admin.auth),
              ),
            ])
            await Promise.all([cancel.body?.cancel(), pay.body?.cancel()])
            return { cancel: cancel.status, pay: pay.status }
          }),
        )
      } finally {
        server.stop()
      }
      // Whichever came first wins; the other is refused as a move from the winner's status.
      for (const outcome of outcomes) {
        expect([
          { cancel: 200, pay: 409 },
          { cancel: 409, pay: 200 },
        ]).toContainEqual(outcome)
      }
      const final = await t.database.db
        .select({ status: rackOrders.status })
        .from(rackOrders)
        .where(inArray(rackOrders.id, placed.map((p) => p.order.id)))
      const cancelled = final.filter((o) => o.status === 'cancelled').length
      expect(cancelled).toBe(outcomes.filter((o) => o.cancel === 200).length)
      expect(final.filter((o) => o.status === 'paid')).toHaveLength(ORDERS - cancelled)
      expect(await stockOf(item)).toBe(cancelled * 2)
    },
    60_000,
  )
})
