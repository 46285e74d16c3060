import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { eq } from 'drizzle-orm'
import { buildApp, type App } from '../../src/app/build-app'
import { openDatabase, type Database } from '../../src/db/client'
import { users } from '../../src/db/schema'
import type { Deps } from '../../src/app/context'
import { createDeps } from '../../src/app/deps'
import { createLogger } from '../../src/app/logger'
import { readJson, testEnv, uniq, usingPostgres } from '../support/app'
import { jsonInit } from '../support/users'

/**
 * A TCP proxy in front of PostgreSQL that can go silent: in black-hole mode it keeps every
 * connection open and accepts new ones, but drops what either side sends, as a network
 * partition does (no reset, no error, nothing).
 */
class SilentProxy {
  forwarding = true
  private readonly sockets = new Set<Socket>()
  private server!: Server

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host)
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from)
        from.on('data', (chunk) => {
          if (this.forwarding) to.write(chunk)
        })
        from.on('error', () => {})
        from.on('close', () => {
          this.sockets.delete(from)
          to.destroy()
        })
      }
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as { port: number }).port
  }

  async stop() {
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

const NOT_ON_PGLITE = 'a database partition (PostgreSQL only: PGlite runs in process, no network)'

describe.skipIf(!usingPostgres)(NOT_ON_PGLITE, () => {
  let proxy: SilentProxy
  let database: Database
  let deps: Deps
  let app: App
  let auth: { Authorization: string }
  let userId: number

  beforeAll(async () => {
    const real = new URL(process.env.DATABASE_URL!)
    proxy = new SilentProxy({ host: real.hostname, port: Number(real.port || 5432) })
    const proxied = new URL(real)
    proxied.host = `127.0.0.1:${await proxy.start()}`
    const env = testEnv({
      DATABASE_URL: proxied.toString(),
      DB_QUERY_TIMEOUT_MS: '1000',
      DB_CONNECT_TIMEOUT_SECONDS: '2',
      DB_POOL_SIZE: '2',
      DB_MAX_OVERFLOW: '2',
      // Every request reaches the database past its token check, which a warm-up request caches.
      CACHE_TTL_SECONDS: '0',
      AUTH_STATE_TTL_SECONDS: '60',
    })
    database = openDatabase(env)
    deps = createDeps(env, database, { logger: createLogger('silent') })
    app = buildApp(deps)
    const email = `partition-${uniq()}@example.com`
    const password = 'a long password'
    const registered = await app.request(
      '/api/auth/register',
      jsonInit('POST', { email, password, name: 'Partition' }),
    )
    expect(registered.status).toBe(202)
    const res = await app.request('/api/auth/login', jsonInit('POST', { email, password }))
    expect(res.status).toBe(200)
    const body = await readJson(res)
    userId = body.user.id
    auth = { Authorization: `Bearer ${body.token}` }
    // An admin, for the export: its token names the account, whose role is read on each request.
    await database.db.update(users).set({ role: 'admin' }).where(eq(users.id, userId))
  }, 30_000)

  afterAll(async () => {
    proxy.forwarding = true
    await database.db.delete(users).where(eq(users.id, userId))
    await deps.close()
    await database.close()
    await proxy.stop()
  }, 30_000)

  const booking = {
    venue_id: 1,
    start_datetime: '2035-01-01T10:00:00Z',
    end_datetime: '2035-01-01T11:00:00Z',
  }

  const order = { items: [{ item_id: 1, quantity: 1 }] }

  /** Reads, transactions, an export, readiness: every kind of database work a request does. */
  const requests = () => [
    app.request('/api/venues'),
    app.request('/api/bookings', { headers: auth }),
    app.request('/api/auth/me', { headers: auth }),
    app.request('/api/bookings', jsonInit('POST', booking, auth)),
    app.request('/api/rack-orders', jsonInit('POST', order, auth)),
    app.request('/api/admin/bookings/export?format=csv', { headers: auth }),
    app.request('/api/health/ready'),
  ]

  test('while the database is silent, every request answers 503 with Retry-After', async () => {
    // Warm the pool first: connections that were idle when the network went silent.
    expect((await app.request('/api/bookings', { headers: auth })).status).toBe(200)
    proxy.forwarding = false
    try {
      const answers = await Promise.all([...requests(), ...requests(), ...requests()])
      const seen = await Promise.all(
        answers.map(async (res) => ({
          status: res.status,
          retryAfter: res.headers.get('retry-after') !== null,
          type: res.headers.get('content-type'),
          body: await res.text(),
        })),
      )
      for (const answer of seen) {
        expect(answer).toMatchObject({
          status: 503,
          retryAfter: true,
          type: 'application/problem+json',
        })
      }
    } finally {
      proxy.forwarding = true
    }
  }, 60_000)

  test('once the network forwards again, requests succeed without a restart', async () => {
    proxy.forwarding = false
    const during = await app.request('/api/bookings', { headers: auth })
    expect(during.status).toBe(503)
    proxy.forwarding = true
    // Connections whose bytes were lost are closed within the budget; the pool opens new ones.
    for (;;) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => app.request('/api/bookings', { headers: auth })),
      )
      if (answers.every((res) => res.status === 200)) break
      await Bun.sleep(200)
    }
    const me = await app.request('/api/auth/me', { headers: auth })
    expect((await readJson(me)).id).toBe(userId)
  }, 60_000)
})
