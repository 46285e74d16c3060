import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { dropKeys, redisAvailable, redisSettings } from '../cache/redis'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

const redisUp = await redisAvailable()
const apps: TestApp[] = []
const made: number[] = []
const prefixes: string[] = []

/** The app as deployed (auth state cached for AUTH_STATE_TTL_SECONDS, 5 by default). */
let t: TestApp
/** The same app reading each user's state from the database on every request. */
let uncached: TestApp

async function instance(settings: Record<string, string> = {}) {
  const app = await testApp(settings)
  apps.push(app)
  return app
}

beforeAll(async () => {
  t = await instance()
  uncached = await instance({ AUTH_STATE_TTL_SECONDS: '0' })
})

afterAll(async () => {
  for (const app of apps) await app.deps.close()
  await removeUsers(t, made)
  for (const prefix of prefixes) await dropKeys(prefix)
})

async function user(role: 'user' | 'admin' = 'user', app = t): Promise<TestUser> {
  const made_ = await makeUser(app, role)
  made.push(made_.id)
  return made_
}

const venueBody = () => ({ name: `sessions-${uniq()}`, capacity: 5, hourly_price_cents: 1000 })

const deleteUser = (id: number) => t.database.db.delete(users).where(eq(users.id, id))

type Request = () => Response | Promise<Response>

/** Asks until `status` comes back: a change made in the database is seen once the cache expires. */
async function eventually(request: Request, status: number): Promise<Response> {
  for (;;) {
    const res = await request()
    if (res.status === status) return res
    await res.body?.cancel()
    await Bun.sleep(100)
  }
}

describe('the account behind a token is checked on every request', () => {
  test("a deleted admin's token can no longer create, delete or export: 401", async () => {
    const admin = await user('admin')
    const created = await uncached.app.request(
      '/api/admin/venues',
      jsonInit('POST', venueBody(), admin.auth),
    )
    expect(created.status).toBe(201)
    const venue = await readJson(created)

    await deleteUser(admin.id)
    const answers = await Promise.all([
      uncached.app.request('/api/admin/venues', jsonInit('POST', venueBody(), admin.auth)),
      uncached.app.request(`/api/admin/venues/${venue.id}`, {
        method: 'DELETE',
        headers: admin.auth,
      }),
      uncached.app.request('/api/admin/bookings/export?format=csv', { headers: admin.auth }),
    ])
    for (const res of answers) {
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toContain('Bearer')
      expect((await readJson(res)).detail).toBe('The account no longer exists.')
    }
    // The venue is still there: the refused DELETE did nothing.
    const still = await t.app.request(`/api/venues/${venue.id}`)
    expect(still.status).toBe(200)
  })

  test("a deleted user's booking is a 401, not a 409 conflict", async () => {
    const gone = await user()
    await deleteUser(gone.id)
    const slot = { start_datetime: '2031-01-01T10:00:00Z', end_datetime: '2031-01-01T11:00:00Z' }
    const booking = jsonInit('POST', { venue_id: 1, ...slot }, gone.auth)
    const res = await uncached.app.request('/api/bookings', booking)
    expect(res.status).toBe(401)
  })

  test('an admin demoted in the database gets 403 on admin routes with its token', async () => {
    const admin = await user('admin')
    const list = () => uncached.app.request('/api/admin/bookings', { headers: admin.auth })
    expect((await list()).status).toBe(200)
    await t.database.db.update(users).set({ role: 'user' }).where(eq(users.id, admin.id))
    expect((await list()).status).toBe(403)
    const me = await uncached.app.request('/api/auth/me', { headers: admin.auth })
    expect((await readJson(me)).role).toBe('user')
  })

  test('a user promoted in the database is an admin with the token it has', async () => {
    const promoted = await user()
    const list = () => uncached.app.request('/api/admin/bookings', { headers: promoted.auth })
    expect((await list()).status).toBe(403)
    await t.database.db.update(users).set({ role: 'admin' }).where(eq(users.id, promoted.id))
    expect((await list()).status).toBe(200)
  })

  test('with the cache on, a deletion in the database reaches a cached token soon', async () => {
    const short = await instance({ AUTH_STATE_TTL_SECONDS: '1' })
    const admin = await user('admin', short)
    const list = () => short.app.request('/api/admin/bookings', { headers: admin.auth })
    expect((await list()).status).toBe(200)
    await deleteUser(admin.id)
    expect((await eventually(list, 401)).status).toBe(401)
  })
})

describe('logout', () => {
  test('POST /api/auth/logout answers 204 and the token is refused at once', async () => {
    const ana = await user()
    const me = () => t.app.request('/api/auth/me', { headers: ana.auth })
    expect((await me()).status).toBe(200)
    const res = await t.app.request('/api/auth/logout', { method: 'POST', headers: ana.auth })
    expect(res.status).toBe(204)
    const after = await me()
    expect(after.status).toBe(401)
    expect((await readJson(after)).detail).toBe('The session has ended; log in again.')
    // Logging out twice with the same token is refused like any revoked token.
    const again = await t.app.request('/api/auth/logout', { method: 'POST', headers: ana.auth })
    expect(again.status).toBe(401)
  })

  test('logging out ends every session of the account; a new login works', async () => {
    const ana = await user()
    const credentials = { email: ana.email, password: ana.password }
    const login = () => t.app.request('/api/auth/login', jsonInit('POST', credentials))
    const logout = (headers: Record<string, string>) =>
      t.app.request('/api/auth/logout', { method: 'POST', headers })
    const second = (await readJson(await login())).token as string
    const secondAuth = { Authorization: `Bearer ${second}` }
    expect((await t.app.request('/api/auth/me', { headers: secondAuth })).status).toBe(200)

    expect((await logout(ana.auth)).status).toBe(204)
    expect((await t.app.request('/api/auth/me', { headers: secondAuth })).status).toBe(401)

    const fresh = (await readJson(await login())).token as string
    const freshAuth = { Authorization: `Bearer ${fresh}` }
    const res = await t.app.request('/api/auth/me', { headers: freshAuth })
    expect(res.status).toBe(200)
  })
})

describe('password change', () => {
  const change = (app: TestApp, who: TestUser, current: string, next: string) =>
    app.app.request(
      '/api/auth/password',
      jsonInit('POST', { current_password: current, new_password: next }, who.auth),
    )

  test('answers a new token; older tokens and the old password stop working', async () => {
    const ana = await user()
    const res = await change(t, ana, ana.password, 'a brand new password')
    expect(res.status).toBe(200)
    const body = await readJson(res)
    expect(body.user).toMatchObject({ id: ana.id, email: ana.email })

    expect((await t.app.request('/api/auth/me', { headers: ana.auth })).status).toBe(401)
    const fresh = { Authorization: `Bearer ${body.token}` }
    expect((await t.app.request('/api/auth/me', { headers: fresh })).status).toBe(200)

    const login = (password: string) =>
      t.app.request('/api/auth/login', jsonInit('POST', { email: ana.email, password }))
    expect((await login(ana.password)).status).toBe(401)
    expect((await login('a brand new password')).status).toBe(200)
  })

  test('a wrong current password is a 403 and changes nothing', async () => {
    const ana = await user()
    const res = await change(t, ana, 'not my password', 'a brand new password')
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect((await t.app.request('/api/auth/me', { headers: ana.auth })).status).toBe(200)
  })

  test('a new password that is too short is a 400 naming the field', async () => {
    const ana = await user()
    const res = await change(t, ana, ana.password, 'short')
    expect(res.status).toBe(400)
    expect((await readJson(res)).errors).toEqual([
      { path: 'new_password', message: expect.any(String) },
    ])
  })
})

describe.skipIf(!redisUp)('sessions across instances (REDIS_URL set)', () => {
  test('a logout on one instance is refused on another at once', async () => {
    const settings = redisSettings()
    prefixes.push(settings.REDIS_KEY_PREFIX)
    const a = await instance(settings)
    const b = await instance(settings)
    const ana = await user('user', a)
    const me = (app: TestApp) => app.app.request('/api/auth/me', { headers: ana.auth })
    // Both instances have the account's state cached (for 5 s) before the logout.
    expect((await me(a)).status).toBe(200)
    expect((await me(b)).status).toBe(200)
    const logout = await a.app.request('/api/auth/logout', { method: 'POST', headers: ana.auth })
    expect(logout.status).toBe(204)
    expect((await me(b)).status).toBe(401)
  })
})
