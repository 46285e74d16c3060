import { afterAll, describe, expect, test } from 'bun:test'
import { like } from 'drizzle-orm'
import { send, startLoad, trickle, type Call } from '../../resilience/lib/load'
import { loadFromOneAddress, stopServer } from '../../resilience/lib/server'
import { users } from '../../src/db/schema'
import { testApp, uniq, usingPostgres } from '../support/app'
import { startServerProcess } from '../support/process'

const SHUTDOWN_TIMEOUT_SECONDS = 10
const tag = `sigterm-${uniq()}`

afterAll(async () => {
  // On PostgreSQL the server process registered its users in the shared test database.
  if (!usingPostgres) return
  const t = await testApp()
  await t.database.db.delete(users).where(like(users.email, `${tag}-%`))
})

const registration = () =>
  JSON.stringify({
    email: `${tag}-${crypto.randomUUID()}@example.com`,
    password: 'a long enough password',
    name: 'Late user',
  })

const register = (body: string | ReadableStream<Uint8Array>): Call => ({
  op: 'register',
  method: 'POST',
  path: '/api/auth/register',
  headers: { 'content-type': 'application/json' },
  body,
})

/** Password hashing makes registrations slow. */
const next = (): Call => {
  const roll = Math.random()
  if (roll < 0.4) return register(registration())
  if (roll < 0.7) return { op: 'venues', method: 'GET', path: '/api/venues?page_size=5' }
  return { op: 'ready', method: 'GET', path: '/api/health/ready' }
}

describe('SIGTERM under load', () => {
  test('every request sent before the signal gets its whole answer, and the process exits 0 in time', async () => {
    const server = await startServerProcess({
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
      ...loadFromOneAddress,
    })
    try {
      const load = startLoad(server.url, { workers: 12, next, durationMs: 30_000 })
      await Bun.sleep(1500)
      // New sends wait out the signal, so every request counted was already on the wire.
      load.pause()
      // Registrations whose bodies arrive over a second: in flight at the signal, however fast
      // the server drains the rest.
      const slow = [1, 2].map(() => send(server.url, register(trickle(registration(), 1000))))
      await Bun.sleep(100)
      const signalAt = performance.now()
      const exiting = stopServer(server, 'SIGTERM', (SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000)
      load.resume()
      const exit = await exiting
      const samples = [...(await load.stop()), ...(await Promise.all(slow))]
      const before = samples.filter((s) => s.start < signalAt)
      expect(before.filter((s) => s.end > signalAt).length).toBeGreaterThan(0)
      // A refused connection never reached the server: it was not in flight.
      const failed = before.filter((s) => !s.expected && s.error !== 'ECONNREFUSED')
      expect(failed.map((s) => `${s.op}: ${s.status || s.error}`)).toEqual([])
      expect(exit).toMatchObject({ code: 0, killed: false })
      expect(exit.ms).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_SECONDS * 1000)
      expect(server.output()).toContain('"msg":"stopped"')
    } finally {
      server.cleanup()
    }
  }, 90_000)
})
