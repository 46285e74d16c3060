import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

let t: TestApp
let admin: TestUser
let user: TestUser
const itemIds: number[] = []

const newItem = (over: Record<string, unknown> = {}) => ({
  name: `Racket ${uniq()}`,
  kind: 'rental',
  price_cents: 500,
  stock: 4,
  ...over,
})

async function createItem(over: Record<string, unknown> = {}) {
  const res = await send('POST', '/api/admin/items', newItem(over), admin.auth)
  expect(res.status).toBe(201)
  const body = await readJson(res)
  itemIds.push(body.id)
  return body
}

/** Every row of a list, following next_cursor (the table is shared with other tests). */
async function walk(path: string, headers: Record<string, string> = {}) {
  const rows: any[] = []
  let url: string | null = path
  while (url) {
    const res = await t.app.request(url, { headers })
    expect(res.status).toBe(200)
    const body = await readJson(res)
    rows.push(...body.items)
    const cursor = body.pagination.next_cursor as string | null
    url = cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}` : null
  }
  return rows
}

const remove = (path: string, headers: Record<string, string>) =>
  t.app.request(path, { method: 'DELETE', headers })
const get = (path: string, headers: Record<string, string> = {}) =>
  t.app.request(path, { headers })
const errorPaths = async (res: Response): Promise<string[]> =>
  (await readJson(res)).errors.map((e: { path: string }) => e.path)

const send = (method: string, path: string, body: unknown, headers = {}) =>
  t.app.request(path, jsonInit(method, body, headers))
beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  user = await makeUser(t)
})

afterAll(async () => {
  if (itemIds.length) await t.database.db.delete(items).where(inArray(items.id, itemIds))
  await removeUsers(t, [admin.id, user.id])
})

describe('items', () => {
  test('an admin creates an item and anyone can read it while it is active', async () => {
    const item = await createItem({ description: 'Carbon frame', kind: 'merchandise', stock: 12 })
    expect(item).toEqual({
      id: expect.any(Number),
      name: expect.stringMatching(/^Racket /),
      description: 'Carbon frame',
      kind: 'merchandise',
      price_cents: 500,
      stock: 12,
      is_active: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    })
    const res = await t.app.request(`/api/items/${item.id}`)
    expect(res.status).toBe(200)
    expect(await readJson(res)).toEqual(item)
  })

  test('an item can be created inactive, and then only the admin sees it', async () => {
    const item = await createItem({ is_active: false })
    expect(item.is_active).toBe(false)
    expect((await t.app.request(`/api/items/${item.id}`)).status).toBe(404)
    const admins = await walk('/api/admin/items?page_size=100', admin.auth)
    expect(admins.map((i) => i.id)).toContain(item.id)
  })

  test('deleting an item takes it off sale; the admin still sees it', async () => {
    const item = await createItem()
    const del = await remove(`/api/admin/items/${item.id}`, admin.auth)
    expect(del.status).toBe(204)
    expect((await t.app.request(`/api/items/${item.id}`)).status).toBe(404)
    const publicIds = (await walk('/api/items?page_size=100')).map((i) => i.id)
    expect(publicIds).not.toContain(item.id)
    const admins = await walk('/api/admin/items?page_size=100', admin.auth)
    expect(admins.find((i) => i.id === item.id)).toMatchObject({ is_active: false })
    const again = await remove('/api/admin/items/999999999999', admin.auth)
    expect(again.status).toBe(404)
  })

  test('PATCH changes only the given fields; stock may be set to 0 but not below', async () => {
    const item = await createItem({ stock: 3 })
    const res = await t.app.request(
      `/api/admin/items/${item.id}`,
      jsonInit('PATCH', { stock: 0, price_cents: 750 }, admin.auth),
    )
    expect(res.status).toBe(200)
    const changed = await readJson(res)
    expect(changed).toMatchObject({ stock: 0, price_cents: 750, name: item.name, kind: 'rental' })
    expect(Date.parse(changed.updated_at)).toBeGreaterThanOrEqual(Date.parse(item.updated_at))

    const negative = await t.app.request(
      `/api/admin/items/${item.id}`,
      jsonInit('PATCH', { stock: -1 }, admin.auth),
    )
    expect(negative.status).toBe(400)
    expect(await errorPaths(negative)).toEqual(['stock'])
    const empty = await send('PATCH', `/api/admin/items/${item.id}`, {}, admin.auth)
    expect(empty.status).toBe(400)
    const after = await readJson(await t.app.request(`/api/items/${item.id}`))
    expect(after).toMatchObject({ stock: 0, price_cents: 750 })

    const missing = await send('PATCH', '/api/admin/items/999999999999', { stock: 1 }, admin.auth)
    expect(missing.status).toBe(404)
  })

  test('bad item fields are a 400 problem listing each one, and nothing is created', async () => {
    const name = `Bad ${uniq()}`
    const res = await t.app.request(
      '/api/admin/items',
      jsonInit(
        'POST',
        { name, kind: 'food', price_cents: -1, stock: 1.5, is_active: 'yes' },
        admin.auth,
      ),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const body = await readJson(res)
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'is_active',
      'kind',
      'price_cents',
      'stock',
    ])
    const unknownField = await t.app.request(
      '/api/admin/items',
      jsonInit('POST', { ...newItem({ name }), colour: 'red' }, admin.auth),
    )
    expect(unknownField.status).toBe(400)
    const blank = await send('POST', '/api/admin/items', newItem({ name: '  ' }), admin.auth)
    expect(await errorPaths(blank)).toEqual(['name'])
    const admins = await walk('/api/admin/items?page_size=100', admin.auth)
    expect(admins.some((i) => i.name === name)).toBe(false)
  })

  test('admin routes need a token (401) and an admin (403)', async () => {
    const item = await createItem()
    expect((await t.app.request('/api/admin/items')).status).toBe(401)
    expect((await get('/api/admin/items', user.auth)).status).toBe(403)
    expect((await send('POST', '/api/admin/items', newItem(), user.auth)).status).toBe(403)
    expect((await send('POST', '/api/admin/items', newItem())).status).toBe(401)
    const patch = await send('PATCH', `/api/admin/items/${item.id}`, { stock: 99 }, user.auth)
    expect(patch.status).toBe(403)
    const del = await remove(`/api/admin/items/${item.id}`, user.auth)
    expect(del.status).toBe(403)
    expect(await readJson(await t.app.request(`/api/items/${item.id}`))).toMatchObject({
      stock: item.stock,
      is_active: true,
    })
  })

  test('kind filters the public and the admin lists; an unknown kind is 400', async () => {
    const rental = await createItem({ kind: 'rental' })
    const merch = await createItem({ kind: 'merchandise' })
    const rentals = await walk('/api/items?kind=rental&page_size=100')
    expect(rentals.every((i) => i.kind === 'rental' && i.is_active)).toBe(true)
    expect(rentals.map((i) => i.id)).toContain(rental.id)
    expect(rentals.map((i) => i.id)).not.toContain(merch.id)
    const merchandise = await walk('/api/admin/items?kind=merchandise&page_size=100', admin.auth)
    expect(merchandise.every((i) => i.kind === 'merchandise')).toBe(true)
    expect(merchandise.map((i) => i.id)).toContain(merch.id)
    expect(merchandise.map((i) => i.id)).not.toContain(rental.id)
    expect((await t.app.request('/api/items?kind=food')).status).toBe(400)
  })

  test('lists page by id: offsets and the cursor walk every row once, in order', async () => {
    for (let i = 0; i < 3; i++) await createItem({ kind: 'merchandise' })
    const first = await t.app.request('/api/items?kind=merchandise&page_size=2')
    const body = await readJson(first)
    expect(body.items).toHaveLength(2)
    expect(body.pagination).toMatchObject({
      page: 1,
      page_size: 2,
      has_next: true,
      has_prev: false,
    })
    expect(first.headers.get('link')).toContain('rel="next"')
    const walked = await walk('/api/items?kind=merchandise&page_size=2')
    const ids = walked.map((i) => i.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(body.pagination.total)
    const second = await readJson(await get('/api/items?kind=merchandise&page=2&page_size=2'))
    expect(second.items.map((i: { id: number }) => i.id)).toEqual(ids.slice(2, 4))
    expect((await t.app.request('/api/items?page_size=101')).status).toBe(400)
  })

  test('public reads send an ETag and answer If-None-Match with 304', async () => {
    const item = await createItem()
    for (const path of [`/api/items/${item.id}`, '/api/items?kind=rental']) {
      const first = await t.app.request(path)
      const tag = first.headers.get('etag')
      expect(tag).toBeTruthy()
      const again = await t.app.request(path, { headers: { 'If-None-Match': tag! } })
      expect(again.status).toBe(304)
    }
    const before = (await t.app.request(`/api/items/${item.id}`)).headers.get('etag')!
    await send('PATCH', `/api/admin/items/${item.id}`, { price_cents: 999 }, admin.auth)
    const changed = await get(`/api/items/${item.id}`, { 'If-None-Match': before })
    expect(changed.status).toBe(200)
  })

  test('an unknown or malformed id is 404 or 400', async () => {
    expect((await t.app.request('/api/items/999999999999')).status).toBe(404)
    expect((await t.app.request('/api/items/abc')).status).toBe(400)
  })
})
