import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { testApp, type TestApp } from '../support/app'
import { makeUser, removeUsers, type TestUser } from '../support/users'

const FRONTEND = 'https://frontend.example'
const corsOptions = {
  origin: [FRONTEND],
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'],
  allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['Retry-After', 'Link', 'X-Request-Id', 'ETag', 'Content-Disposition'],
  maxAge: 600,
}

/** What hono's own requestId, cors and secureHeaders answer, configured as the app asks. */
const reference = new Hono()
  .use(requestId({ headerName: 'X-Request-Id' }))
  .use(cors(corsOptions))
  .use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  .get('/api/health', (c) => c.json({ status: 'ok' }))

/** The headers those three middlewares own; Vary is compared as the set of its names. */
function standardHeaders(res: Response) {
  const own = [...res.headers].filter(
    ([name]) =>
      name.startsWith('access-control-') ||
      name.startsWith('cross-origin-') ||
      name.startsWith('x-') ||
      ['origin-agent-cluster', 'referrer-policy', 'strict-transport-security'].includes(name),
  )
  const { 'x-request-id': id, ...rest } = Object.fromEntries(own)
  const vary = (res.headers.get('vary') ?? '')
    .split(/,\s*/)
    .filter((v) => v && v !== 'Accept-Encoding')
  return { ...rest, vary: vary.sort(), request_id: id ? 'present' : 'missing' }
}

let t: TestApp
let admin: TestUser

beforeAll(async () => {
  t = await testApp({ CORS_ORIGINS: FRONTEND })
  admin = await makeUser(t, 'admin')
})
afterAll(() => removeUsers(t, [admin.id]))

describe('standard response headers', () => {
  const cases: [string, string, RequestInit][] = [
    ['a read from the frontend', '/api/health', { headers: { Origin: FRONTEND } }],
    ['a read from another origin', '/api/health', { headers: { Origin: 'https://evil.example' } }],
    ['a read without an origin', '/api/health', {}],
    [
      'a preflight from the frontend',
      '/api/health',
      {
        method: 'OPTIONS',
        headers: { Origin: FRONTEND, 'Access-Control-Request-Method': 'POST' },
      },
    ],
    [
      'a preflight from another origin',
      '/api/health',
      {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      },
    ],
  ]
  for (const [name, path, init] of cases) {
    test(`${name}: the same headers as hono's requestId, cors and secureHeaders`, async () => {
      const expected = standardHeaders(await reference.request(path, init))
      const res = await t.app.request(path, init)
      expect(standardHeaders(res)).toEqual(expected)
    })
  }

  test('an error answer carries them too', async () => {
    const expected = standardHeaders(
      await reference.request('/api/nothing-here', { headers: { Origin: FRONTEND } }),
    )
    const res = await t.app.request('/api/nothing-here', { headers: { Origin: FRONTEND } })
    expect(res.status).toBe(404)
    expect(standardHeaders(res)).toEqual(expected)
  })

  test('a streamed answer built as a bare Response carries them too', async () => {
    const res = await t.app.request('/api/admin/bookings?page_size=1', {
      headers: { ...admin.auth, Origin: FRONTEND, Accept: 'application/x-ndjson' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/x-ndjson')
    await res.body?.cancel()
    const expected = standardHeaders(
      await reference.request('/api/health', { headers: { Origin: FRONTEND } }),
    )
    expect(standardHeaders(res)).toEqual(expected)
  })

  test('a 304 revalidation carries them too', async () => {
    const first = await t.app.request('/api/items', { headers: { Origin: FRONTEND } })
    const tag = first.headers.get('etag')
    expect(tag).toBeTruthy()
    await first.arrayBuffer()
    const res = await t.app.request('/api/items', {
      headers: { Origin: FRONTEND, 'If-None-Match': tag! },
    })
    expect(res.status).toBe(304)
    const expected = standardHeaders(
      await reference.request('/api/health', { headers: { Origin: FRONTEND } }),
    )
    expect(standardHeaders(res)).toEqual(expected)
  })

  test("a caller's plain X-Request-Id is echoed; any other is replaced by a new one", async () => {
    const echoed = await t.app.request('/api/health', {
      headers: { 'X-Request-Id': 'abc-123_=' },
    })
    expect(echoed.headers.get('x-request-id')).toBe('abc-123_=')
    for (const given of ['has spaces', 'x'.repeat(256), '']) {
      const res = await t.app.request('/api/health', { headers: { 'X-Request-Id': given } })
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })
})
