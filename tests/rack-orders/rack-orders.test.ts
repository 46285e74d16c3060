import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sql } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { insertUsers } from '../support/bulk-users'

type Shopper = { auth: Record<string, string> }

let t: TestApp
let admin: TestUser
let buyer: TestUser
let other: TestUser
const userIds: number[] = []
const itemIds: number[] = []

async function createItem(over: Record<string, unknown> = {}) {
  const res = await t.app.request(
    '/api/admin/items',
    jsonInit(
      'POST',
      { name: `Shirt ${uniq()}`, kind: 'merchandise', price_cents: 250, stock: 10, ...over },
      admin.auth,
    ),
  )
  expect(res.status).toBe(201)
  const item = await readJson(res)
  itemIds.push(item.id)
  return item as { id: number; name: string; stock: number }
}

async function stockOf(id: number): Promise<number> {
  const res = await t.app.request(`/api/items/${id}`)
  expect(res.status).toBe(200)
  return (await readJson(res)).stock
}

const buy = (who: Shopper, lines: { item_id: number; quantity: number }[], headers = {}) =>
  send('POST', '/api/rack-orders', { items: lines }, { ...who.auth, ...headers })

const cancel = (who: Shopper, id: number) =>
  t.app.request(`/api/rack-orders/${id}/cancel`, { method: 'POST', headers: who.auth })

const get = (path: string, headers: Record<string, string> = {}) =>
  t.app.request(path, { headers })
const errorPaths = async (res: Response): Promise<string[]> =>
  (await readJson(res)).errors.map((e: { path: string }) => e.path)

const send = (method: string, path: string, body: unknown, headers = {}) =>
  t.app.request(path, jsonInit(method, body, headers))
beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  buyer = await makeUser(t)
  other = await makeUser(t)
  userIds.push(admin.id, buyer.id, other.id)
})

afterAll(async () => {
  await removeUsers(t, userIds)
  if (itemIds.length) await t.database.db.delete(items).where(inArray(items.id, itemIds))
})

describe('buying from the rack', () => {
  test('an order merges repeated items, totals the lines and takes the stock', async () => {
    const shirt = await createItem({ price_cents: 250, stock: 10 })
    const cap = await createItem({ price_cents: 1000, stock: 5 })
    const res = await buy(buyer, [
      { item_id: cap.id, quantity: 1 },
      { item_id: shirt.id, quantity: 2 },
      { item_id: shirt.id, quantity: 1 },
    ])
    expect(res.status).toBe(201)
    const order = await readJson(res)
    expect(order).toEqual({
      id: expect.any(Number),
      user_id: buyer.id,
      status: 'pending',
      total_cents: 3 * 250 + 1000,
      items: expect.any(Array),
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    })
    expect(
      order.items.map((i: any) => ({
        item_id: i.item_id,
        quantity: i.quantity,
        unit_price_cents: i.unit_price_cents,
      })),
    ).toEqual([
      { item_id: shirt.id, quantity: 3, unit_price_cents: 250 },
      { item_id: cap.id, quantity: 1, unit_price_cents: 1000 },
    ].sort((a, b) => a.item_id - b.item_id))
    expect(await stockOf(shirt.id)).toBe(7)
    expect(await stockOf(cap.id)).toBe(4)
    const fetched = await get(`/api/rack-orders/${order.id}`, buyer.auth)
    expect(fetched.status).toBe(200)
    expect(await readJson(fetched)).toEqual(order)
  })

  test('asking for more than is left is a 409 naming the item, and no line is bought', async () => {
    const plenty = await createItem({ stock: 10 })
    const scarce = await createItem({ stock: 2, name: `Scarce ${uniq()}` })
    const res = await buy(buyer, [
      { item_id: plenty.id, quantity: 4 },
      { item_id: scarce.id, quantity: 3 },
    ])
    expect(res.status).toBe(409)
    const problem = await readJson(res)
    expect(problem).toMatchObject({ status: 409, item_id: scarce.id, requested: 3, available: 2 })
    expect(problem.detail).toContain(scarce.name)
    expect(problem.detail).toContain('2 left')
    expect(await stockOf(plenty.id)).toBe(10)
    expect(await stockOf(scarce.id)).toBe(2)
    const mine = await readJson(await get('/api/rack-orders?page_size=100', buyer.auth))
    expect(
      mine.items.some((o: any) =>
        o.items.some((i: any) => [plenty.id, scarce.id].includes(i.item_id)),
      ),
    ).toBe(false)
  })

  test('rentals, items off sale and unknown items cannot be bought (400 naming each)', async () => {
    const rental = await createItem({ kind: 'rental' })
    const retired = await createItem({ is_active: false })
    const good = await createItem({ stock: 3 })
    const res = await buy(buyer, [
      { item_id: good.id, quantity: 1 },
      { item_id: rental.id, quantity: 1 },
      { item_id: retired.id, quantity: 1 },
      { item_id: 999999999999, quantity: 1 },
    ])
    expect(res.status).toBe(400)
    const errors = (await readJson(res)).errors
    expect(errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'items.1.item_id',
      'items.2.item_id',
      'items.3.item_id',
    ])
    expect(errors.map((e: { message: string }) => e.message).join(' ')).toContain(String(rental.id))
    expect(await stockOf(good.id)).toBe(3)
  })

  test('bad order bodies are a 400 problem listing each field', async () => {
    const item = await createItem({ stock: 3 })
    const cases: [unknown, string[]][] = [
      [{ items: [] }, ['items']],
      [{}, ['items']],
      [{ items: [{ item_id: item.id, quantity: 0 }, { item_id: 'x', quantity: 1001 }] }, [
        'items.0.quantity',
        'items.1.item_id',
        'items.1.quantity',
      ]],
      [{ items: Array.from({ length: 51 }, () => ({ item_id: item.id, quantity: 1 })) }, ['items']],
    ]
    for (const [body, paths] of cases) {
      const res = await send('POST', '/api/rack-orders', body, buyer.auth)
      expect(res.status).toBe(400)
      expect((await errorPaths(res)).sort()).toEqual(paths)
    }
    expect(await stockOf(item.id)).toBe(3)
    const lines = { items: [{ item_id: item.id, quantity: 1 }] }
    expect((await send('POST', '/api/rack-orders', lines)).status).toBe(401)
  })
})

describe('cancelling', () => {
  test('cancelling puts the stock back; cancelling again is a harmless 200', async () => {
    const item = await createItem({ stock: 6 })
    const order = await readJson(await buy(buyer, [{ item_id: item.id, quantity: 4 }]))
    expect(await stockOf(item.id)).toBe(2)
    const first = await cancel(buyer, order.id)
    expect(first.status).toBe(200)
    expect(await readJson(first)).toMatchObject({
      id: order.id,
      status: 'cancelled',
      items: order.items,
    })
    expect(await stockOf(item.id)).toBe(6)
    const second = await cancel(buyer, order.id)
    expect(second.status).toBe(200)
    expect((await readJson(second)).status).toBe('cancelled')
    expect(await stockOf(item.id)).toBe(6)
  })

  test('a fulfilled order cannot be cancelled (409) and keeps its stock taken', async () => {
    const item = await createItem({ stock: 5 })
    const order = await readJson(await buy(buyer, [{ item_id: item.id, quantity: 2 }]))
    for (const status of ['paid', 'fulfilled']) {
      const path = `/api/admin/rack-orders/${order.id}`
      const moved = await send('PATCH', path, { status }, admin.auth)
      expect(moved.status).toBe(200)
    }
    for (const who of [buyer, admin]) {
      const res = await cancel(who, order.id)
      expect(res.status).toBe(409)
      expect(await readJson(res)).toMatchObject({ current_status: 'fulfilled', allowed: [] })
    }
    expect(await stockOf(item.id)).toBe(3)
  })

  test('another user’s order is a 404 to read or cancel; an admin may do both', async () => {
    const item = await createItem({ stock: 5 })
    const order = await readJson(await buy(buyer, [{ item_id: item.id, quantity: 1 }]))
    expect((await get(`/api/rack-orders/${order.id}`, other.auth)).status).toBe(404)
    expect((await cancel(other, order.id)).status).toBe(404)
    expect(await stockOf(item.id)).toBe(4)
    expect((await get(`/api/rack-orders/${order.id}`, admin.auth)).status).toBe(200)
    const byAdmin = await cancel(admin, order.id)
    expect(byAdmin.status).toBe(200)
    expect((await readJson(byAdmin)).status).toBe('cancelled')
    expect(await stockOf(item.id)).toBe(5)
    expect((await get('/api/rack-orders/999999999999', buyer.auth)).status).toBe(404)
    expect((await t.app.request(`/api/rack-orders/${order.id}`)).status).toBe(401)
  })
})

describe('listing own orders', () => {
  test('newest first, only the caller’s, by status, with items, paged by cursor', async () => {
    const shopper = (await insertUsers(t, 1))[0]!
    userIds.push(shopper.id)
    const item = await createItem({ stock: 20 })
    const ids: number[] = []
    for (let q = 1; q <= 4; q++) {
      ids.push((await readJson(await buy(shopper, [{ item_id: item.id, quantity: q }]))).id)
    }
    await buy(other, [{ item_id: item.id, quantity: 1 }])
    await cancel(shopper, ids[1]!)

    const all = await readJson(await get('/api/rack-orders', shopper.auth))
    expect(all.items.map((o: { id: number }) => o.id)).toEqual([...ids].reverse())
    expect(all.pagination).toMatchObject({ total: 4, has_next: false })
    expect(all.items.map((o: any) => o.items[0].quantity)).toEqual([4, 3, 2, 1])

    const pending = await readJson(await get('/api/rack-orders?status=pending', shopper.auth))
    expect(pending.items.map((o: { id: number }) => o.id)).toEqual([ids[3], ids[2], ids[0]])
    const cancelled = await readJson(
      await get('/api/rack-orders?status=cancelled', shopper.auth),
    )
    expect(cancelled.items.map((o: { id: number }) => o.id)).toEqual([ids[1]])

    const seen: number[] = []
    let url: string | null = '/api/rack-orders?page_size=3'
    while (url) {
      const res = await get(url, shopper.auth)
      const body = await readJson(res)
      seen.push(...body.items.map((o: { id: number }) => o.id))
      url = body.pagination.next_cursor ? /<([^>]+)>/.exec(res.headers.get('link')!)![1]! : null
    }
    expect(seen).toEqual([...ids].reverse())
    expect((await get('/api/rack-orders?status=lost', shopper.auth)).status).toBe(400)
  })
})

describe('idempotency', () => {
  test('a retry with the same key replays the order; another body with it is 422', async () => {
    const item = await createItem({ stock: 5 })
    const key = { 'Idempotency-Key': `order-${uniq()}` }
    const lines = [{ item_id: item.id, quantity: 2 }]
    const first = await buy(buyer, lines, key)
    expect(first.status).toBe(201)
    const order = await readJson(first)
    const retry = await buy(buyer, lines, key)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await readJson(retry)).toEqual(order)
    expect(await stockOf(item.id)).toBe(3)

    const changed = await buy(buyer, [{ item_id: item.id, quantity: 1 }], key)
    expect(changed.status).toBe(422)
    expect(await stockOf(item.id)).toBe(3)
    // The key is the caller's own: another user with the same key buys afresh.
    expect((await buy(other, lines, key)).status).toBe(201)
    expect(await stockOf(item.id)).toBe(1)
  })

  test('an order whose answer cannot be stored is not placed; a retry places it once', async () => {
    const item = await createItem({ stock: 5 })
    const key = `order-${uniq()}`
    const lines = [{ item_id: item.id, quantity: 2 }]
    const stored = async () => {
      const [row] = await t.database.db
        .select({ stock: items.stock })
        .from(items)
        .where(eq(items.id, item.id))
      return row!.stock
    }
    // The disk fills up as the answer is stored, after the order's own writes succeeded.
    const refuse = `refuse_answer_${uniq()}`
    const run = (statement: string) => t.database.db.execute(sql.raw(statement))
    await run(`
      create function ${refuse}() returns trigger language plpgsql as $$
      begin
        if new.key = '${key}' and new.status_code <> 0 then
          raise exception 'could not extend file' using errcode = '53100';
        end if;
        return new;
      end $$`)
    await run(`create trigger ${refuse} before update on idempotency_keys
      for each row execute function ${refuse}()`)
    try {
      expect((await buy(buyer, lines, { 'Idempotency-Key': key })).status).toBe(503)
    } finally {
      await run(`drop trigger ${refuse} on idempotency_keys`)
      await run(`drop function ${refuse}()`)
    }
    expect(await stored()).toBe(5)
    const retry = await buy(buyer, lines, { 'Idempotency-Key': key })
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(await buy(buyer, lines, { 'Idempotency-Key': key })).toMatchObject({ status: 201 })
    expect(await stored()).toBe(3)
  })

  test('a failed order releases its key, so a corrected retry can use it', async () => {
    const item = await createItem({ stock: 1 })
    const key = { 'Idempotency-Key': `order-${uniq()}` }
    const lines = [{ item_id: item.id, quantity: 2 }]
    expect((await buy(buyer, lines, key)).status).toBe(409)
    await send('PATCH', `/api/admin/items/${item.id}`, { stock: 2 }, admin.auth)
    expect((await buy(buyer, lines, key)).status).toBe(201)
    expect(await stockOf(item.id)).toBe(0)
  })
})
