import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { items, venues } from '../../src/db/schema'
import { appRoutes, type AppRoute } from '../openapi/app-routes'
import { readJson, testApp, uniq } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

/**
 * - public: anyone; an anonymous caller never gets 401 or 403.
 * - gallery: anyone when the upload is in the public gallery, otherwise its owner or an admin;
 *   an anonymous caller gets the same answer for a private upload as for a missing one.
 * - user: any valid token. admin: an admin's token.
 */
type Access = 'public' | 'gallery' | 'user' | 'admin'

const publicRoutes = new Set([
  'GET /api/health',
  'GET /api/health/ready',
  'GET /api/health/memory',
  'GET /metrics',
  'GET /api/openapi.json',
  'GET /api/docs',
  'GET /api/docs/assets/{file}',
  'GET /',
  'POST /api/auth/register',
  'POST /api/auth/login',
  'GET /api/venues',
  'GET /api/venues/{id}',
  'GET /api/venues/{id}/availability',
  'GET /api/items',
  'GET /api/items/{id}',
  'GET /api/programs',
  'GET /api/programs/{id}',
  'GET /api/gallery/public',
  // Operator pages, guarded like /metrics only when METRICS_TOKEN is set (unset here).
  'GET /status',
  'GET /status/stream',
  'GET /status/history',
])

const galleryRoutes = new Set(['GET /api/uploads/{id}'])

/** Routes that revoke the caller's tokens: called by accounts of their own, not the shared ones. */
const endsSessions = new Set(['POST /api/auth/logout'])

/** First match wins; a route that matches none fails the suite until it is placed here. */
const rules: { access: Access; matches: (route: AppRoute) => boolean }[] = [
  { access: 'public', matches: (r) => publicRoutes.has(r.key) },
  { access: 'gallery', matches: (r) => galleryRoutes.has(r.key) },
  { access: 'admin', matches: (r) => r.path.startsWith('/api/admin/') },
  { access: 'user', matches: (r) => r.path.startsWith('/api/') },
]

const classify = (route: AppRoute): Access | undefined =>
  rules.find((rule) => rule.matches(route))?.access

type Resource = 'booking' | 'rackOrder' | 'upload'

/** Routes on one user's resource: another user must get 404, the owner and admins 2xx. */
interface OwnedRoute {
  key: string
  resource: Resource
  /** Calling it changes the resource, so each caller gets a fresh one. */
  changes: boolean
  /** A body that succeeds for the owner; others send `{}`, enough to reach authorization. */
  body?: object
}

const ownedRoutes: OwnedRoute[] = [
  { key: 'GET /api/bookings/{id}', resource: 'booking', changes: false },
  { key: 'POST /api/bookings/{id}/cancel', resource: 'booking', changes: true },
  {
    key: 'PATCH /api/bookings/{id}',
    resource: 'booking',
    changes: true,
    body: { notes: 'Bring the blue nets' },
  },
  { key: 'GET /api/rack-orders/{id}', resource: 'rackOrder', changes: false },
  { key: 'POST /api/rack-orders/{id}/cancel', resource: 'rackOrder', changes: true },
  { key: 'GET /api/uploads/{id}', resource: 'upload', changes: false },
]

/** The routes the owner's resources are created through. */
const creatingRoutes: Record<Resource, string[]> = {
  booking: ['POST /api/admin/venues', 'POST /api/bookings'],
  rackOrder: ['POST /api/admin/items', 'POST /api/rack-orders'],
  upload: ['POST /api/uploads'],
}

const NO_SUCH_ID = '999999999'

const PNG_1X1 = Uint8Array.from(
  atob(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  ),
  (ch) => ch.charCodeAt(0),
)

// Top-level await: the tests below are generated from the app's own route list.
const uploadDir = mkdtempSync(join(tmpdir(), 'authz-uploads-'))
// METRICS_TOKEN unset: /metrics is public unless an operator guards it with a static token.
const t = await testApp({ UPLOAD_DIR: uploadDir, METRICS_TOKEN: undefined })
const routes = appRoutes(t.app)
const served = new Set(routes.map((r) => r.key))
const missingOf = (keys: string[]) => keys.filter((k) => !served.has(k))

let owner: TestUser
let other: TestUser
let admin: TestUser
let doc: any
const made = { venues: [] as number[], items: [] as number[], users: [] as number[] }

/** `user` itself, or for a route that ends sessions a new account of the same role. */
async function callerFor(route: AppRoute, user: TestUser, role: 'user' | 'admin') {
  if (!endsSessions.has(route.key)) return user
  const own = await makeUser(t, role)
  made.users.push(own.id)
  return own
}

// Three argon2id hashes and logins: seconds on a busy machine, so more than the default 5 s.
beforeAll(async () => {
  ;[owner, other, admin] = await Promise.all([makeUser(t), makeUser(t), makeUser(t, 'admin')])
  doc = await readJson(await t.app.request('/api/openapi.json'))
}, 30_000)

afterAll(async () => {
  await removeUsers(t, [owner, other, admin].filter(Boolean).map((u) => u.id).concat(made.users))
  const { db } = t.database
  for (const id of made.venues) await db.delete(venues).where(eq(venues.id, id))
  for (const id of made.items) await db.delete(items).where(eq(items.id, id))
  rmSync(uploadDir, { recursive: true, force: true })
})

interface Answer {
  status: number
  type: string | null
  authenticate: string | null
  detail: string | undefined
  /** Neither 401 nor 403: the caller got past authorization. */
  admitted: boolean
  success: boolean
}

/**
 * Calls a route with a body that is enough to reach authorization (which runs before
 * validation): a 400 or 404 past it still proves the caller was admitted.
 */
async function call(
  route: AppRoute,
  caller?: TestUser,
  id = NO_SUCH_ID,
  body: object = {},
): Promise<Answer> {
  const url = route.path.replace(/\{[^}]+\}/g, id)
  const headers: Record<string, string> = caller ? { ...caller.auth } : {}
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method)
  if (hasBody) headers['content-type'] = 'application/json'
  const res = await t.app.request(url, {
    method: route.method,
    headers,
    body: hasBody ? JSON.stringify(body) : undefined,
  })
  const type = res.headers.get('content-type')
  let detail: string | undefined
  if (type === 'application/problem+json') detail = (await readJson(res)).detail
  // Streams (exports, files) are not read: only the status matters here.
  else await res.body?.cancel()
  return {
    status: res.status,
    type,
    authenticate: res.headers.get('www-authenticate'),
    detail,
    admitted: res.status !== 401 && res.status !== 403,
    success: res.status >= 200 && res.status < 300,
  }
}

const forged = (user: TestUser): TestUser => ({ ...user, auth: { Authorization: 'Bearer x.y.z' } })

const isUnauthorized = (answer: Answer) =>
  expect(answer).toMatchObject({
    status: 401,
    type: 'application/problem+json',
    authenticate: expect.stringContaining('Bearer'),
  })

const isAdmitted = (answer: Answer) => {
  expect(answer).toMatchObject({ admitted: true })
  expect(answer).not.toMatchObject({ status: 500 })
}

const isSuccess = (answer: Answer) => expect(answer).toMatchObject({ success: true })

test('every route of the app is classified by the rule table', () => {
  const unclassified = routes.filter((r) => !classify(r)).map((r) => r.key)
  if (unclassified.length > 0) {
    throw new Error(
      `no authorization rule in tests/authz/matrix.test.ts covers: ${unclassified.join(', ')}`,
    )
  }
})

for (const route of routes) {
  const access = classify(route)
  if (!access) continue

  describe(`${route.key} [${access}]`, () => {
    if (access === 'public') {
      test('admits anonymous callers and plain users', async () => {
        isAdmitted(await call(route))
        isAdmitted(await call(route, other))
      })
    }
    if (access === 'gallery') {
      test('answers anonymous 404, or 401 with WWW-Authenticate, for an unknown id', async () => {
        const answer = await call(route)
        expect([401, 404]).toContain(answer.status)
        if (answer.status === 401) isUnauthorized(answer)
      })
    }
    if (access === 'user' || access === 'admin') {
      test('answers anonymous callers 401 problem+json with WWW-Authenticate', async () => {
        isUnauthorized(await call(route))
      })
      test('answers a forged token 401', async () => {
        isUnauthorized(await call(route, forged(other)))
      })
    }
    if (access === 'admin') {
      test('answers a plain user 403 problem+json', async () => {
        expect(await call(route, other)).toMatchObject({
          status: 403,
          type: 'application/problem+json',
        })
      })
    } else if (access !== 'public') {
      test('admits a plain user', async () => {
        isAdmitted(await call(route, await callerFor(route, other, 'user')))
      }, 30_000)
    }
    test('admits an admin', async () => {
      isAdmitted(await call(route, await callerFor(route, admin, 'admin')))
    }, 30_000)

    test('documents its guard in the OpenAPI document', () => {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()]
      expect({ route: route.key, documented: Boolean(operation) }).toEqual({
        route: route.key,
        documented: true,
      })
      const security: object[] = operation.security ?? []
      const seen = {
        route: route.key,
        schemes: security.flatMap((requirement) => Object.keys(requirement)),
        // An empty requirement (or none at all) lets a caller without a token through.
        tokenOptional: security.length === 0 || security.some((r) => Object.keys(r).length === 0),
        responses: Object.keys(operation.responses ?? {}),
      }
      const expected = {
        public: { tokenOptional: true },
        gallery: { tokenOptional: true, schemes: ['bearer'] },
        user: {
          tokenOptional: false,
          schemes: ['bearer'],
          responses: expect.arrayContaining(['401']),
        },
        admin: {
          tokenOptional: false,
          schemes: ['bearer'],
          responses: expect.arrayContaining(['401', '403']),
        },
      }[access]
      expect(seen).toMatchObject({ route: route.key, ...expected })
    })
  })
}

// ---- owner versus other user, on resources the owner created through the API ----

// 10:00 UTC from three days ahead: inside the default opening hours, lead time, horizon and
// cancellation cut-off of a venue created without rules.
const today = new Date()
const firstSlot = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 3, 10)
let slot = 0
let venueId: Promise<number> | undefined
let itemId: Promise<number> | undefined

async function created(res: Response, what: string): Promise<any> {
  if (res.status !== 201) throw new Error(`creating ${what}: ${res.status} ${await res.text()}`)
  return readJson(res)
}

async function adminCreates(path: string, body: object, what: string): Promise<number> {
  return (await created(await t.app.request(path, jsonInit('POST', body, admin.auth)), what)).id
}

const makers: Record<Resource, () => Promise<number>> = {
  async booking() {
    venueId ??= adminCreates(
      '/api/admin/venues',
      { name: `authz-${uniq()}`, capacity: 10, hourly_price_cents: 1000 },
      'a venue',
    ).then((id) => (made.venues.push(id), id))
    // A day apart, so the owner's bookings of the venue never overlap.
    const start = firstSlot + slot++ * 24 * 3600_000
    const body = {
      venue_id: await venueId,
      start_datetime: new Date(start).toISOString(),
      end_datetime: new Date(start + 3600_000).toISOString(),
    }
    const res = await t.app.request('/api/bookings', jsonInit('POST', body, owner.auth))
    return (await created(res, 'a booking')).id
  },
  async rackOrder() {
    itemId ??= adminCreates(
      '/api/admin/items',
      { name: `authz-${uniq()}`, kind: 'merchandise', price_cents: 500, stock: 100 },
      'a merchandise item',
    ).then((id) => (made.items.push(id), id))
    const body = { items: [{ item_id: await itemId, quantity: 1 }] }
    const res = await t.app.request('/api/rack-orders', jsonInit('POST', body, owner.auth))
    return (await created(res, 'a rack order')).id
  },
  async upload() {
    const form = new FormData()
    form.append('files', new File([PNG_1X1], 'dot.png', { type: 'image/png' }))
    const res = await t.app.request('/api/uploads', {
      method: 'POST',
      headers: owner.auth,
      body: form,
    })
    return (await created(res, 'an upload')).items[0].id
  },
}

const shared = new Map<Resource, Promise<number>>()
const resourceFor = (row: OwnedRoute) => {
  if (row.changes) return makers[row.resource]()
  if (!shared.has(row.resource)) shared.set(row.resource, makers[row.resource]())
  return shared.get(row.resource)!
}

describe('owner versus other user', () => {
  for (const row of ownedRoutes) {
    const missing = missingOf([row.key, ...creatingRoutes[row.resource]])
    if (missing.length > 0) {
      // Every route of the design exists; one that goes missing must fail here, not be skipped.
      test(`${row.key}: the app serves it and the routes that create its resource`, () => {
        expect(missing).toEqual([])
      })
      continue
    }
    const route = routes.find((r) => r.key === row.key)!

    test(`${row.key}: another user gets 404, the owner and an admin 2xx`, async () => {
      const id = String(await resourceFor(row))
      expect(await call(route, other, id, row.body)).toMatchObject({
        status: 404,
        type: 'application/problem+json',
      })
      const anonymous = await call(route, undefined, id)
      if (classify(route) === 'gallery') {
        // Whether a private upload exists is not given away to anonymous callers.
        expect(anonymous.status).toBe((await call(route)).status)
      } else {
        isUnauthorized(anonymous)
      }
      // The refused calls changed nothing: the owner still acts on the same resource.
      isSuccess(await call(route, owner, id, row.body))
      const adminId = row.changes ? String(await resourceFor(row)) : id
      isSuccess(await call(route, admin, adminId, row.body))
    })
  }

  const galleryNeeds = ['GET /api/uploads/{id}', 'POST /api/uploads', 'POST /api/admin/gallery']
  test(`GET /api/uploads/{id}: a public gallery image's file is served to anyone`, async () => {
    expect(missingOf(galleryNeeds)).toEqual([])
    const uploadId = await makers.upload()
    await adminCreates(
      '/api/admin/gallery',
      { upload_id: uploadId, title: `authz-${uniq()}`, is_public: true },
      'a gallery image',
    )
    const route = routes.find((r) => r.key === 'GET /api/uploads/{id}')!
    isSuccess(await call(route, undefined, String(uploadId)))
    isSuccess(await call(route, other, String(uploadId)))
  })
})
