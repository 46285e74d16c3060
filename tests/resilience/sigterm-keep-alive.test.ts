import { afterAll, describe, expect, test } from 'bun:test'
import { like } from 'drizzle-orm'
import { trickle } from '../../resilience/lib/load'
import { stopServer } from '../../resilience/lib/server'
import { users } from '../../src/db/schema'
import { testApp, uniq, usingPostgres } from '../support/app'
import { startServerProcess } from '../support/process'

const SHUTDOWN_TIMEOUT_SECONDS = 10
const tag = `sigterm-keep-alive-${uniq()}`

afterAll(async () => {
  // On PostgreSQL the server process registered its user in the shared test database.
  if (!usingPostgres) return
  const t = await testApp()
  await t.database.db.delete(users).where(like(users.email, `${tag}-%`))
})

/** How a kept-alive connection ended: closed by the server, or cut under a request (a reset). */
type Ending = 'closed' | 'reset'

/** A raw HTTP/1.1 connection that stays open between requests, as a browser's or a pool's does. */
async function keptAlive(url: string) {
  let buffer = ''
  let waiting: ((answer: string) => void) | undefined
  const ended = Promise.withResolvers<Ending>()
  const complete = () => {
    const head = buffer.indexOf('\r\n\r\n')
    if (head < 0 || !waiting) return
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffer.slice(0, head))?.[1] ?? 0)
    if (buffer.length < head + 4 + length) return
    const answer = buffer.slice(0, head + 4 + length)
    buffer = buffer.slice(head + 4 + length)
    const resolve = waiting
    waiting = undefined
    resolve(answer)
  }
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port: Number(new URL(url).port),
    socket: {
      data: (_socket, data) => {
        buffer += Buffer.from(data).toString()
        complete()
      },
      close: (_socket, error) => ended.resolve(error ? 'reset' : 'closed'),
      error: () => ended.resolve('reset'),
    },
  })
  return {
    get(path: string): Promise<string> {
      const answer = new Promise<string>((resolve) => (waiting = resolve))
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      return answer
    },
    ended: ended.promise,
  }
}

const closes = (answer: string) => /\r\nconnection: close\r\n/i.test(answer)

describe('SIGTERM with kept-alive connections open', () => {
  test('an idle connection is answered with Connection: close, then closed cleanly', async () => {
    const server = await startServerProcess({
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
    })
    try {
      const idle = await keptAlive(server.url)
      const probe = await keptAlive(server.url)
      expect(await idle.get('/api/health')).toStartWith('HTTP/1.1 200')
      const ready = await probe.get('/api/health/ready')
      expect(ready).toStartWith('HTTP/1.1 200')
      expect(closes(ready)).toBe(false)

      // A registration whose body arrives over two seconds: in flight at the signal.
      const body = JSON.stringify({
        email: `${tag}-${crypto.randomUUID()}@example.com`,
        password: 'a long enough password',
        name: 'Draining user',
      })
      const inFlight = fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: trickle(body, 2000),
        duplex: 'half',
      } as RequestInit)
      await Bun.sleep(300)

      const exiting = stopServer(server, 'SIGTERM', (SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000)
      await Bun.sleep(100)
      // Draining: the balancer's probe sees 503, on the connection it already had.
      const draining = await probe.get('/api/health/ready')
      expect(draining).toStartWith('HTTP/1.1 503')
      const problem = JSON.parse(draining.slice(draining.indexOf('\r\n\r\n') + 4))
      expect(problem).toMatchObject({ status: 503, shutting_down: true })
      expect(closes(draining)).toBe(true)
      // A request on the connection that was idle at the signal is answered, not refused or cut.
      const late = await idle.get('/api/health')
      expect(late).toStartWith('HTTP/1.1 200')
      expect(closes(late)).toBe(true)
      expect(await idle.ended).toBe('closed')
      expect(await probe.ended).toBe('closed')

      // The request in flight at the signal gets its whole answer.
      const registered = await inFlight
      expect(registered.status).toBe(202)
      expect(registered.headers.get('connection')).toBe('close')
      await registered.arrayBuffer()

      const exit = await exiting
      expect(exit).toMatchObject({ code: 0, killed: false })
      expect(server.output()).toContain('"msg":"stopped"')
      expect(server.output()).not.toContain('shutdown time-out reached')
    } finally {
      server.cleanup()
    }
  }, 90_000)
})
