import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { gunzipSync, inflateSync } from 'node:zlib'
import { inArray } from 'drizzle-orm'
import { venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

let t: TestApp
let admin: TestUser
const venueIds: number[] = []

beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  // Enough venues that a page of them is well over the 1 KB threshold.
  for (let i = 0; i < 8; i++) {
    const res = await t.app.request(
      '/api/admin/venues',
      jsonInit(
        'POST',
        {
          name: `Compressed hall ${uniq()}`,
          description: 'A long description. '.repeat(20),
          capacity: 10,
          hourly_price_cents: 1000,
        },
        admin.auth,
      ),
    )
    venueIds.push((await readJson(res)).id)
  }
})
afterAll(async () => {
  await t.database.db.delete(venues).where(inArray(venues.id, venueIds))
  await removeUsers(t, [admin.id])
})

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer())

describe('response compression', () => {
  test('a large JSON answer is gzipped when the client accepts gzip', async () => {
    const plain = await t.app.request('/api/admin/venues?page_size=100', { headers: admin.auth })
    const raw = await bytesOf(plain)
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(raw.length).toBeGreaterThan(1024)

    const res = await t.app.request('/api/admin/venues?page_size=100', {
      headers: { ...admin.auth, 'Accept-Encoding': 'gzip, deflate, br' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('vary')).toContain('Accept-Encoding')
    const zipped = await bytesOf(res)
    expect(zipped.length).toBeLessThan(raw.length / 2)
    expect(JSON.parse(gunzipSync(zipped).toString())).toEqual(JSON.parse(raw.toString()))
  })

  test('deflate when that is all the client takes', async () => {
    const res = await t.app.request('/api/admin/venues?page_size=100', {
      headers: { ...admin.auth, 'Accept-Encoding': 'deflate' },
    })
    expect(res.headers.get('content-encoding')).toBe('deflate')
    const body = JSON.parse(inflateSync(await bytesOf(res)).toString())
    expect(body.items.length).toBeGreaterThanOrEqual(8)
  })

  test('a tiny answer is sent as it is, with its length', async () => {
    const res = await t.app.request('/api/health', { headers: { 'Accept-Encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBeNull()
    const body = await bytesOf(res)
    expect(Number(res.headers.get('content-length'))).toBe(body.length)
    expect(JSON.parse(body.toString())).toMatchObject({ status: 'ok' })
  })

  test('a cached public list is compressed too, and its ETag still answers 304', async () => {
    const first = await t.app.request('/api/venues?page_size=100', {
      headers: { 'Accept-Encoding': 'gzip' },
    })
    expect(first.headers.get('content-encoding')).toBe('gzip')
    const etag = first.headers.get('etag')
    expect(etag).toBeTruthy()
    const again = await t.app.request('/api/venues?page_size=100', {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag! },
    })
    expect(again.status).toBe(304)
  })
})
