import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray } from 'drizzle-orm'
import { venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { dropKeys, keysUnder, redisAvailable, redisSettings } from './redis'

const redisUp = await redisAvailable()
const venueIds: number[] = []
const userIds: number[] = []
const cleanups: (() => Promise<unknown>)[] = []

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
  if (venueIds.length === 0) return
  const t = await testApp()
  await t.database.db.delete(venues).where(inArray(venues.id, venueIds))
  await removeUsers(t, userIds)
})

async function setup(settings: Record<string, string> = {}) {
  const t = await testApp(settings)
  cleanups.push(() => t.deps.close())
  const admin = await makeUser(t, 'admin')
  userIds.push(admin.id)
  const name = `Cached hall ${uniq()}`
  const res = await t.app.request(
    '/api/admin/venues',
    jsonInit('POST', { name, capacity: 12, hourly_price_cents: 2500 }, admin.auth),
  )
  const venue = await readJson(res)
  venueIds.push(venue.id)
  return { t, admin, venue, name }
}

/** Renames the venue behind the API's back, as another instance without a shared cache would. */
const renameInDatabase = (t: TestApp, id: number, name: string) =>
  t.database.db.update(venues).set({ name }).where(eq(venues.id, id))

const getVenue = async (t: TestApp, id: number) => {
  const res = await t.app.request(`/api/venues/${id}`)
  return { cache: res.headers.get('x-cache'), status: res.status, body: await readJson(res) }
}

const listCache = async (t: TestApp) =>
  (await t.app.request('/api/venues?page_size=3')).headers.get('x-cache')

async function cacheBehaviour(t: TestApp, admin: TestUser, venue: any, name: string) {
  expect(await getVenue(t, venue.id)).toMatchObject({ cache: 'miss', body: { name } })
  expect(await listCache(t)).toBe('miss')

  await renameInDatabase(t, venue.id, `${name} (renamed directly)`)
  // Served from the cache: the direct change is not seen yet.
  expect(await getVenue(t, venue.id)).toMatchObject({ cache: 'hit', body: { name } })
  expect(await listCache(t)).toBe('hit')

  const patched = await t.app.request(
    `/api/admin/venues/${venue.id}`,
    jsonInit('PATCH', { capacity: 40 }, admin.auth),
  )
  expect(patched.status).toBe(200)
  // The admin write dropped every cached venue read.
  const fresh = { name: `${name} (renamed directly)`, capacity: 40 }
  expect(await getVenue(t, venue.id)).toMatchObject({ cache: 'miss', body: fresh })
  expect(await listCache(t)).toBe('miss')
  expect(await getVenue(t, venue.id)).toMatchObject({ cache: 'hit', body: fresh })

  const removed = await t.app.request(`/api/admin/venues/${venue.id}`, {
    method: 'DELETE',
    headers: admin.auth,
  })
  expect(removed.status).toBe(204)
  expect(await getVenue(t, venue.id)).toMatchObject({ status: 404 })
  // Failures are not cached.
  expect((await getVenue(t, venue.id)).cache).toBe('miss')
}

describe('venue reads are cached and admin writes invalidate them', () => {
  test('in process (no REDIS_URL)', async () => {
    const { t, admin, venue, name } = await setup()
    expect(t.deps.cache.kind).toBe('memory')
    await cacheBehaviour(t, admin, venue, name)
  })

  test('query strings are cached apart, in any parameter order', async () => {
    const { t } = await setup()
    const cacheOf = async (query: string) =>
      (await t.app.request(`/api/venues?${query}`)).headers.get('x-cache')
    expect(await cacheOf('page=1&page_size=7')).toBe('miss')
    expect(await cacheOf('page_size=7&page=1')).toBe('hit')
    expect(await cacheOf('page=1&page_size=8')).toBe('miss')
  })

  test('CACHE_TTL_SECONDS=0 turns the cache off', async () => {
    const { t, venue } = await setup({ CACHE_TTL_SECONDS: '0' })
    expect(t.deps.cache.kind).toBe('off')
    await renameInDatabase(t, venue.id, 'Uncached name')
    expect((await getVenue(t, venue.id)).body.name).toBe('Uncached name')
  })

  test.skipIf(!redisUp)('in Redis, shared by two instances', async () => {
    const settings = redisSettings()
    cleanups.push(() => dropKeys(settings.REDIS_KEY_PREFIX))
    const { t, admin, venue, name } = await setup(settings)
    expect(t.deps.cache.kind).toBe('redis')
    await cacheBehaviour(t, admin, venue, name)

    // A second instance on the same Redis reads what the first cached, and sees its invalidations.
    const other = await testApp(settings)
    cleanups.push(() => other.deps.close())
    const { venue: second } = await setup(settings)
    expect((await getVenue(t, second.id)).cache).toBe('miss')
    const shared = await getVenue(other, second.id)
    expect(shared).toMatchObject({ cache: 'hit', body: { id: second.id } })
    expect(await keysUnder(settings.REDIS_KEY_PREFIX)).toContain(
      `${settings.REDIS_KEY_PREFIX}cache:venues:/api/venues/${second.id}`,
    )
    const patch = jsonInit('PATCH', { capacity: 3 }, admin.auth)
    await t.app.request(`/api/admin/venues/${second.id}`, patch)
    expect(await getVenue(other, second.id)).toMatchObject({ cache: 'miss', body: { capacity: 3 } })
  })
})
