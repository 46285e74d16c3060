import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { insertUsers, type BulkUser } from '../support/bulk-users'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

type Caller = { auth: Record<string, string> }

let t: TestApp
let admin: TestUser
let buyer: BulkUser
const userIds: number[] = []
const itemIds: number[] = []

beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  buyer = (await insertUsers(t, 1))[0]!
  userIds.push(admin.id, buyer.id)
})

afterAll(async () => {
  await removeUsers(t, userIds)
  if (itemIds.length) await t.database.db.delete(items).where(inArray(items.id, itemIds))
})

async function merchandise(stock: number): Promise<number> {
  const body = { name: `Mug ${uniq()}`, kind: 'merchandise', price_cents: 700, stock }
  const res = await t.app.request('/api/admin/items', jsonInit('POST', body, admin.auth))
  expect(res.status).toBe(201)
  const { id } = await readJson(res)
  itemIds.push(id)
  return id
}

const stockOf = async (id: number): Promise<number> =>
  (await readJson(await t.app.request(`/api/items/${id}`))).stock

async function order(who: Caller, itemId: number, quantity = 1) {
  const lines = { items: [{ item_id: itemId, quantity }] }
  const res = await t.app.request('/api/rack-orders', jsonInit('POST', lines, who.auth))
  expect(res.status).toBe(201)
  return readJson(res)
}

const move = (id: number, status: unknown, who: Caller = admin) =>
  t.app.request(`/api/admin/rack-orders/${id}`, jsonInit('PATCH', { status }, who.auth))

const cancel = (id: number, who: Caller) =>
  t.app.request(`/api/rack-orders/${id}/cancel`, { method: 'POST', headers: who.auth })

const adminGet = (path: string) => t.app.request(path, { headers: admin.auth })

describe('an order moves pending -> paid -> fulfilled', () => {
  test('a new order is pending, holding its stock; staff mark it paid then fulfilled', async () => {
    const mug = await merchandise(5)
    const placed = await order(buyer, mug, 2)
    expect(placed.status).toBe('pending')
    expect(await stockOf(mug)).toBe(3)

    const paid = await move(placed.id, 'paid')
    expect(paid.status).toBe(200)
    const paidOrder = { id: placed.id, status: 'paid', items: placed.items }
    expect(await readJson(paid)).toMatchObject(paidOrder)
    const fulfilled = await readJson(await move(placed.id, 'fulfilled'))
    expect(fulfilled).toMatchObject({ id: placed.id, status: 'fulfilled', user_id: buyer.id })
    expect(Date.parse(fulfilled.updated_at)).toBeGreaterThanOrEqual(Date.parse(placed.updated_at))
    // Handing it over does not touch the stock a second time.
    expect(await stockOf(mug)).toBe(3)

    const seen = await t.app.request(`/api/rack-orders/${placed.id}`, { headers: buyer.auth })
    expect((await readJson(seen)).status).toBe('fulfilled')
  })

  test('setting the status an order already has changes nothing (200)', async () => {
    const mug = await merchandise(3)
    const placed = await order(buyer, mug)
    const again = await move(placed.id, 'pending')
    expect(again.status).toBe(200)
    expect(await readJson(again)).toEqual(placed)
    await move(placed.id, 'paid')
    expect((await readJson(await move(placed.id, 'paid'))).status).toBe('paid')
  })

  test('a move outside the state machine is 409 naming current and allowed statuses', async () => {
    const mug = await merchandise(10)
    const cases: [string[], string, string, string[]][] = [
      [[], 'fulfilled', 'pending', ['paid', 'cancelled']],
      [['paid'], 'pending', 'paid', ['fulfilled', 'cancelled']],
      [['paid', 'fulfilled'], 'cancelled', 'fulfilled', []],
      [['paid', 'fulfilled'], 'paid', 'fulfilled', []],
      [['cancelled'], 'paid', 'cancelled', []],
      [['cancelled'], 'pending', 'cancelled', []],
    ]
    for (const [path, to, current, allowed] of cases) {
      const placed = await order(buyer, mug)
      for (const status of path) expect((await move(placed.id, status)).status).toBe(200)
      const res = await move(placed.id, to)
      expect(res.status).toBe(409)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(await readJson(res)).toMatchObject({
        type: 'urn:problem:invalid-status-transition',
        status: 409,
        current_status: current,
        allowed,
      })
      const after = await readJson(await adminGet(`/api/admin/rack-orders/${placed.id}`))
      expect(after.status).toBe(current)
    }
  })

  test('a bad status or an unknown order is 400 or 404, never a change', async () => {
    const mug = await merchandise(2)
    const placed = await order(buyer, mug)
    for (const body of [{ status: 'shipped' }, {}, { status: 'paid', note: 'x' }]) {
      const res = await t.app.request(
        `/api/admin/rack-orders/${placed.id}`,
        jsonInit('PATCH', body, admin.auth),
      )
      expect(res.status).toBe(400)
    }
    expect((await move(999_999_999_999, 'paid')).status).toBe(404)
    expect((await move(placed.id, 'paid', buyer)).status).toBe(403)
    expect((await readJson(await adminGet(`/api/admin/rack-orders/${placed.id}`))).status).toBe(
      'pending',
    )
  })
})

describe('cancelling puts the stock back', () => {
  test('a buyer may cancel a pending order but not a paid one; staff may cancel both', async () => {
    const mug = await merchandise(6)
    const pending = await order(buyer, mug, 2)
    const paid = await order(buyer, mug, 3)
    await move(paid.id, 'paid')
    expect(await stockOf(mug)).toBe(1)

    expect((await readJson(await cancel(pending.id, buyer))).status).toBe('cancelled')
    expect(await stockOf(mug)).toBe(3)

    const refused = await cancel(paid.id, buyer)
    expect(refused.status).toBe(409)
    expect(await readJson(refused)).toMatchObject({
      type: 'urn:problem:invalid-status-transition',
      current_status: 'paid',
      allowed: [],
    })
    expect(await stockOf(mug)).toBe(3)

    const byStaff = await move(paid.id, 'cancelled')
    expect((await readJson(byStaff)).status).toBe('cancelled')
    expect(await stockOf(mug)).toBe(6)
  })

  test('cancelling again, by either route, restores nothing more', async () => {
    const mug = await merchandise(4)
    const placed = await order(buyer, mug, 4)
    expect(await stockOf(mug)).toBe(0)
    expect((await move(placed.id, 'cancelled')).status).toBe(200)
    expect((await cancel(placed.id, buyer)).status).toBe(200)
    expect((await cancel(placed.id, admin)).status).toBe(200)
    expect((await move(placed.id, 'cancelled')).status).toBe(200)
    expect(await stockOf(mug)).toBe(4)
  })
})

describe('GET /api/admin/rack-orders', () => {
  test('every order, newest first, by status and user, paged by cursor and Link', async () => {
    const shoppers = await insertUsers(t, 2)
    userIds.push(...shoppers.map((s) => s.id))
    const [ana, ben] = shoppers as [BulkUser, BulkUser]
    const mug = await merchandise(50)
    const placed: { id: number; user: number; status: string }[] = []
    for (const [who, status] of [
      [ana, 'pending'],
      [ben, 'paid'],
      [ana, 'paid'],
      [ben, 'cancelled'],
      [ana, 'fulfilled'],
    ] as const) {
      const o = await order(who, mug)
      if (status === 'fulfilled') await move(o.id, 'paid')
      if (status !== 'pending') expect((await move(o.id, status)).status).toBe(200)
      placed.push({ id: o.id, user: who.id, status })
    }
    const newestFirst = placed.map((o) => o.id).reverse()
    const ids = async (query: string) => {
      const body = await readJson(await adminGet(`/api/admin/rack-orders?${query}`))
      return body.items.map((o: { id: number }) => o.id)
    }
    const anaIds = placed.filter((o) => o.user === ana.id).map((o) => o.id)
    expect(await ids(`user_id=${ana.id}`)).toEqual(anaIds.reverse())
    expect(await ids(`user_id=${ben.id}&status=paid`)).toEqual([placed[1]!.id])
    const paidOfBoth = await ids('status=paid&page_size=100')
    expect(paidOfBoth.filter((id: number) => newestFirst.includes(id))).toEqual([
      placed[2]!.id,
      placed[1]!.id,
    ])

    const seen: number[] = []
    let url: string | null = `/api/admin/rack-orders?user_id=${ana.id}&page_size=2`
    let pages = 0
    while (url) {
      const res = await adminGet(url)
      const body = await readJson(res)
      expect(body.pagination).toMatchObject({ total: 3, page_size: 2, total_pages: 2 })
      seen.push(...body.items.map((o: { id: number }) => o.id))
      pages++
      url = body.pagination.next_cursor ? /<([^>]+)>/.exec(res.headers.get('link')!)![1]! : null
    }
    expect(pages).toBe(2)
    expect(seen).toEqual(placed.filter((o) => o.user === ana.id).map((o) => o.id).reverse())

    const one = await readJson(await adminGet(`/api/admin/rack-orders/${placed[3]!.id}`))
    expect(one).toMatchObject({ id: placed[3]!.id, user_id: ben.id, status: 'cancelled' })
    expect((await adminGet('/api/admin/rack-orders/999999999999')).status).toBe(404)
  })

  test('a bad filter or paging value is a 400 problem naming it', async () => {
    for (const [query, path] of [
      ['status=lost', 'query.status'],
      ['user_id=abc', 'query.user_id'],
      ['user_id=0', 'query.user_id'],
      ['page_size=101', 'query.page_size'],
    ]) {
      const res = await adminGet(`/api/admin/rack-orders?${query}`)
      expect(res.status).toBe(400)
      const paths = (await readJson(res)).errors.map((e: { path: string }) => e.path)
      expect(paths).toEqual([path])
    }
  })
})
