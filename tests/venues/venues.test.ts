import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

let t: TestApp
let admin: TestUser
let user: TestUser
const venueIds: number[] = []

const newVenue = (over: Record<string, unknown> = {}) => ({
  name: `Hall ${uniq()}`,
  capacity: 20,
  hourly_price_cents: 4000,
  ...over,
})

async function createVenue(over: Record<string, unknown> = {}) {
  const res = await t.app.request('/api/admin/venues', jsonInit('POST', newVenue(over), admin.auth))
  expect(res.status).toBe(201)
  const body = await readJson(res)
  venueIds.push(body.id)
  return body
}

beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  user = await makeUser(t)
})

afterAll(async () => {
  if (venueIds.length) await t.database.db.delete(venues).where(inArray(venues.id, venueIds))
  await removeUsers(t, [admin.id, user.id])
})

describe('venues', () => {
  test('an admin creates a venue and anyone can read it while it is active', async () => {
    const venue = await createVenue({ description: 'Sprung floor', timezone: 'Europe/Oslo' })
    expect(venue).toMatchObject({
      capacity: 20,
      hourly_price_cents: 4000,
      timezone: 'Europe/Oslo',
      description: 'Sprung floor',
      is_active: true,
    })
    expect(venue.created_at).toMatch(/Z$/)
    const res = await t.app.request(`/api/venues/${venue.id}`)
    expect(res.status).toBe(200)
    expect(await readJson(res)).toEqual(venue)
  })

  test('a deactivated venue disappears from the public reads but stays for the admin', async () => {
    const venue = await createVenue()
    const del = await t.app.request(`/api/admin/venues/${venue.id}`, { method: 'DELETE', headers: admin.auth })
    expect(del.status).toBe(204)
    expect((await t.app.request(`/api/venues/${venue.id}`)).status).toBe(404)
    const patch = await t.app.request(
      `/api/admin/venues/${venue.id}`,
      jsonInit('PATCH', { is_active: true, name: 'Renamed' }, admin.auth),
    )
    expect(patch.status).toBe(200)
    expect(await readJson(patch)).toMatchObject({ is_active: true, name: 'Renamed' })
    expect((await t.app.request(`/api/venues/${venue.id}`)).status).toBe(200)
  })

  test('bad venue fields are a 400 problem listing each and change nothing', async () => {
    const name = `Bad ${uniq()}`
    const res = await t.app.request(
      '/api/admin/venues',
      jsonInit('POST', { name, capacity: 0, hourly_price_cents: -5, timezone: 'Mars/Base' }, admin.auth),
    )
    expect(res.status).toBe(400)
    const body = await readJson(res)
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'capacity',
      'hourly_price_cents',
      'timezone',
    ])
    const list = await readJson(await t.app.request('/api/admin/venues?page_size=100', { headers: admin.auth }))
    expect(list.items.some((v: { name: string }) => v.name === name)).toBe(false)
  })

  test('a plain user may not write venues (403); anonymous gets 401', async () => {
    expect((await t.app.request('/api/admin/venues', jsonInit('POST', newVenue(), user.auth))).status).toBe(403)
    expect((await t.app.request('/api/admin/venues', jsonInit('POST', newVenue()))).status).toBe(401)
  })

  test('public reads send an ETag and answer If-None-Match with 304', async () => {
    const venue = await createVenue()
    const first = await t.app.request(`/api/venues/${venue.id}`)
    const tag = first.headers.get('etag')
    expect(tag).toBeTruthy()
    const again = await t.app.request(`/api/venues/${venue.id}`, { headers: { 'If-None-Match': tag! } })
    expect(again.status).toBe(304)
  })

  test('an unknown or malformed id is 404 or 400', async () => {
    expect((await t.app.request('/api/venues/999999999999')).status).toBe(404)
    expect((await t.app.request('/api/venues/abc')).status).toBe(400)
  })
})

describe('pagination (shared by every list)', () => {
  test('defaults, totals, flags, past the last page, and bad parameters', async () => {
    for (let i = 0; i < 3; i++) await createVenue()
    const all = await readJson(await t.app.request('/api/admin/venues', { headers: admin.auth }))
    expect(all.pagination).toMatchObject({ page: 1, page_size: 50, has_prev: false })
    const total = all.pagination.total as number
    expect(total).toBeGreaterThanOrEqual(3)

    const p1 = await readJson(await t.app.request('/api/admin/venues?page=1&page_size=2', { headers: admin.auth }))
    expect(p1.items).toHaveLength(2)
    expect(p1.pagination).toMatchObject({
      page: 1,
      page_size: 2,
      total,
      total_pages: Math.ceil(total / 2),
      has_next: true,
      has_prev: false,
    })
    const beyond = await readJson(
      await t.app.request(`/api/admin/venues?page=${total + 5}&page_size=2`, { headers: admin.auth }),
    )
    expect(beyond.items).toEqual([])
    expect(beyond.pagination).toMatchObject({ has_next: false, has_prev: true, next_cursor: null })

    for (const bad of ['page=0', 'page_size=0', 'page_size=101', 'page=abc', 'cursor=not-a-cursor']) {
      const res = await t.app.request(`/api/admin/venues?${bad}`, { headers: admin.auth })
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
  })

  test('following next_cursor and the Link header walks every row once, in order', async () => {
    const seen: number[] = []
    let url: string | null = '/api/admin/venues?page_size=2'
    let pages = 0
    while (url) {
      const res = await t.app.request(url, { headers: admin.auth })
      expect(res.status).toBe(200)
      const body = await readJson(res)
      seen.push(...body.items.map((v: { id: number }) => v.id))
      pages++
      expect(body.pagination.page).toBe(pages)
      const link = res.headers.get('link')
      if (body.pagination.next_cursor) {
        expect(link).toContain('rel="next"')
        url = /<([^>]+)>/.exec(link!)![1]!
      } else {
        expect(link).toBeNull()
        url = null
      }
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(new Set(seen).size).toBe(seen.length)
    const all = await readJson(await t.app.request('/api/admin/venues?page_size=100', { headers: admin.auth }))
    expect(seen.length).toBe(all.pagination.total)
  })
})
