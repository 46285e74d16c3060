import { describe, expect, test } from 'bun:test'
import { readJson, sharedDatabase, type TestApp } from '../support/app'
import { jsonInit, makeUser } from '../support/users'
import { appWithFakeMemory } from './fake-memory'

const login = jsonInit('POST', { email: 'nobody@example.com', password: 'not the password' })

async function expectShed(res: Response, reason: string) {
  expect(res.status).toBe(503)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect(res.headers.get('cache-control')).toBe('no-store')
  expect(await readJson(res)).toMatchObject({ status: 503, title: 'Service Unavailable', reason })
}

describe('memory guard', () => {
  test('ok serves everything; high sheds writes, uploads and exports but not reads', async () => {
    const f = await appWithFakeMemory()
    expect(f.setUsage(50)).toBe('ok')
    expect((await f.app.request('/api/auth/login', login)).status).toBe(401)

    expect(f.setUsage(86)).toBe('high')
    await expectShed(await f.app.request('/api/auth/login', login), 'memory_high')
    const remove = await f.app.request('/api/admin/venues/1', { method: 'DELETE' })
    await expectShed(remove, 'memory_high')
    await expectShed(await f.app.request('/api/admin/bookings/export?format=csv'), 'memory_high')
    await expectShed(await f.app.request('/api/uploads/1'), 'memory_high')
    expect((await f.app.request('/api/venues')).status).toBe(200)
    expect((await f.app.request('/api/admin/venues')).status).toBe(401)
  })

  test('critical sheds all but health; readiness turns 503 so the balancer drains', async () => {
    const f = await appWithFakeMemory()
    expect(f.setUsage(93)).toBe('critical')
    await expectShed(await f.app.request('/api/venues'), 'memory_critical')
    await expectShed(await f.app.request('/api/nothing-here'), 'memory_critical')

    expect((await f.app.request('/api/health')).status).toBe(200)
    const memory = await f.app.request('/api/health/memory')
    expect(memory.status).toBe(200)
    expect((await readJson(memory)).state).toBe('critical')
    expect((await f.app.request('/metrics')).status).toBe(200)
    expect((await f.app.request('/status')).status).toBe(200)

    const ready = await f.app.request('/api/health/ready')
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await readJson(ready)).toMatchObject({ status: 503, memory_state: 'critical' })

    f.setUsage(50)
    expect((await f.app.request('/api/health/ready')).status).toBe(200)
    expect((await f.app.request('/api/venues')).status).toBe(200)
  })

  test('states are left only a few points below where they were entered (hysteresis)', async () => {
    const f = await appWithFakeMemory()
    const path = [
      [84, 'ok'],
      [85, 'high'],
      [84, 'high'],
      [81, 'high'],
      [89, 'high'],
      [90, 'critical'],
      [88, 'critical'],
      [85, 'critical'],
      [84, 'high'],
      [91, 'critical'],
      [70, 'ok'],
      [86, 'high'],
      [79, 'ok'],
    ] as const
    for (const [usage, state] of path) {
      expect([usage, f.setUsage(usage)]).toEqual([usage, state])
    }
  })

  test('each state change is logged once; repeated samples and shed requests are not', async () => {
    const f = await appWithFakeMemory()
    for (const usage of [86, 87, 88, 92, 95, 93, 60, 61]) f.setUsage(usage)
    expect(f.transitions().map((l) => [l.from, l.to, l.level])).toEqual([
      ['ok', 'high', 40],
      ['high', 'critical', 40],
      ['critical', 'ok', 30],
    ])
    expect(f.transitions()[0]).toMatchObject({ rss_bytes: 860_000, limit_bytes: 1_000_000 })

    f.setUsage(95)
    const before = f.logs.length
    for (let i = 0; i < 5; i++) expect((await f.app.request('/api/venues')).status).toBe(503)
    expect(f.logs.length).toBe(before)
    const body = await readJson(await f.app.request('/api/health/memory'))
    expect(body.shed_by_reason.memory_critical).toBe(5)
    expect(body.shed_total).toBe(5)
  })

  test('pressure forces full collections: on entering high, then every 10 s it lasts', async () => {
    const f = await appWithFakeMemory()
    f.setUsage(86)
    expect(f.collections).toHaveLength(1)
    f.setUsage(70)
    f.setUsage(86)
    f.setUsage(95)
    f.advance(9_999)
    f.setUsage(95)
    expect(f.collections).toHaveLength(1)
    f.advance(1)
    f.setUsage(70)
    expect(f.collections).toHaveLength(1)
    f.setUsage(91)
    expect(f.collections).toHaveLength(2)
    f.advance(10_000)
    f.setUsage(92)
    expect(f.collections).toHaveLength(3)
    f.advance(60_000)
    f.setUsage(50)
    expect(f.collections).toHaveLength(3)
    const body = await readJson(await f.app.request('/api/health/memory'))
    expect(body.gc_runs).toBe(3)
    expect(body.last_gc_at).toBe('2030-01-01T00:00:20.000Z')
  })

  test('a shed answer exposes Retry-After to browsers on another origin', async () => {
    const f = await appWithFakeMemory({ CORS_ORIGINS: 'https://front.example' })
    f.setUsage(95)
    const res = await f.app.request('/api/venues', { headers: { Origin: 'https://front.example' } })
    expect(res.status).toBe(503)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://front.example')
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After')
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  /** A request whose JSON body is still arriving: it holds its in-flight place until `finish`. */
  function slowPost(app: TestApp['app'], path: string, headers: Record<string, string> = {}) {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const answer = app.request(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }),
        duplex: 'half',
      } as RequestInit),
    )
    return {
      answer,
      finish(json: string) {
        controller.enqueue(new TextEncoder().encode(json))
        controller.close()
      },
    }
  }

  test('requests beyond MAX_IN_FLIGHT get 503 until one ends; health still answers', async () => {
    const f = await appWithFakeMemory({ MAX_IN_FLIGHT: '2' })
    const user = await makeUser(f)
    // Two bookings whose bodies are still arriving hold both places.
    const held = [1, 2].map(() => slowPost(f.app, '/api/bookings', user.auth))
    await Bun.sleep(10)
    expect(f.memory.inFlight).toBe(2)

    const refused = await f.app.request('/api/venues')
    await expectShed(refused, 'in_flight')
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await f.app.request('/api/health')).status).toBe(200)

    for (const h of held) h.finish('{"venue_id": "not a number"}')
    for (const h of held) expect((await h.answer).status).toBe(400)
    expect(f.memory.inFlight).toBe(0)
    expect((await f.app.request('/api/venues')).status).toBe(200)
    const body = await readJson(await f.app.request('/api/health/memory'))
    expect(body.shed_by_reason.in_flight).toBe(1)
  })

  test('password routes fill places of their own: a login flood leaves others free', async () => {
    const f = await appWithFakeMemory({ MAX_IN_FLIGHT: '4' })
    // Half the places are the password routes': two slow logins take them all.
    const held = [1, 2].map(() => slowPost(f.app, '/api/auth/login'))
    await Bun.sleep(10)
    await expectShed(await f.app.request('/api/auth/login', login), 'in_flight')
    await expectShed(await f.app.request('/api/auth/register', login), 'in_flight')
    expect((await f.app.request('/api/venues')).status).toBe(200)

    for (const h of held) h.finish('{"email":"a@example.com","password":"wrong password"}')
    for (const h of held) expect((await h.answer).status).toBe(401)
    expect((await f.app.request('/api/auth/login', login)).status).toBe(401)
  })

  test('an out-of-memory RangeError is a 503 and a collection; then all works', async () => {
    const real = await sharedDatabase()
    let failing = true
    // The database layer fails to allocate, as a huge result would.
    const db = new Proxy(real.db, {
      get(target, prop, receiver) {
        if (failing && prop === 'select') throw new RangeError('Out of memory')
        return Reflect.get(target, prop, receiver)
      },
    })
    const f = await appWithFakeMemory({}, { database: { ...real, db } })
    const res = await f.app.request('/api/venues')
    await expectShed(res, 'out_of_memory')
    expect(f.collections).toHaveLength(1)
    expect(f.logs.some((l) => l.msg === 'out of memory in a request')).toBe(true)

    failing = false
    expect((await f.app.request('/api/venues')).status).toBe(200)
    const body = await readJson(await f.app.request('/api/health/memory'))
    expect(body.shed_by_reason.out_of_memory).toBe(1)
    expect(body.gc_runs).toBe(1)
  })
})
