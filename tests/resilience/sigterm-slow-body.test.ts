import { afterAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { api } from '../../resilience/lib/api'
import { trickle } from '../../resilience/lib/load'
import { stopServer } from '../../resilience/lib/server'
import { ADMIN, adminEnv, registerUser } from '../../resilience/lib/world'
import { venues } from '../../src/db/schema'
import { testApp, uniq, usingPostgres } from '../support/app'
import { startServerProcess } from '../support/process'
import { removeUsers } from '../support/users'

const SHUTDOWN_TIMEOUT_SECONDS = 10
const HOUR_MS = 3_600_000
const tag = `sigterm-body-${uniq()}`
/** Both servers share it: on PGlite the second reads what the first stored. */
const dataDir = mkdtempSync(join(tmpdir(), 'sigterm-slow-body-'))
const created = { userIds: [] as number[], venueIds: [] as number[] }

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true })
  if (!usingPostgres) return
  const t = await testApp()
  await removeUsers(t, created.userIds)
  for (const id of created.venueIds) await t.database.db.delete(venues).where(eq(venues.id, id))
})

const serverEnv = {
  ...adminEnv,
  DATA_DIR: dataDir,
  UPLOAD_DIR: join(dataDir, 'uploads'),
  SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
}

const WARM_UP = 'GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n'

/**
 * Sends a request on a raw connection: the head at once, the body as `sendBody` decides. With
 * `keptAlive`, a health check goes first on the same connection and its answer is dropped.
 */
function rawRequest(
  url: string,
  head: string,
  sendBody: (write: (s: string) => void) => void,
  keptAlive = false,
) {
  const { port } = new URL(url)
  let answer = ''
  let warming = keptAlive
  let warmUp = ''
  const closed = Promise.withResolvers<string>()
  const ready = Promise.withResolvers<void>()
  const start = (socket: { write(s: string): unknown }) => {
    socket.write(head)
    sendBody((s) => void socket.write(s))
    ready.resolve()
  }
  void Bun.connect({
    hostname: '127.0.0.1',
    port: Number(port),
    socket: {
      open: (socket) => (keptAlive ? void socket.write(WARM_UP) : start(socket)),
      data: (socket, data) => {
        if (!warming) return void (answer += Buffer.from(data).toString())
        warmUp += Buffer.from(data).toString()
        // The health answer is a JSON object: whole once its body closes.
        if (!/\r\n\r\n\{.*\}$/s.test(warmUp)) return
        warming = false
        start(socket)
      },
      close: () => closed.resolve(answer),
      error: () => closed.resolve(answer),
    },
  })
  return { answer: closed.promise, ready: ready.promise }
}

describe('SIGTERM while a booking body is still arriving', () => {
  test('each such booking gets 201 and is stored exactly once', async () => {
    const first = await startServerProcess(serverEnv)
    const ids: number[] = []
    let userToken = ''
    try {
      const client = api(first.url)
      const admin = await client.must(200, 'POST', '/api/auth/login', { json: ADMIN })
      const venue = await client.must(201, 'POST', '/api/admin/venues', {
        token: admin.token,
        json: { name: `Late hall ${tag}`, capacity: 4, hourly_price_cents: 1200 },
      })
      created.venueIds.push(venue.id)
      const user = await registerUser(client, tag)
      created.userIds.push(user.id)
      userToken = user.token
      // Inside the new venue's default rules: within 180 days, from 09:00 UTC, on the hour.
      const day = Math.floor(Date.now() / 86_400_000 + 7 + Math.random() * 150) * 86_400_000
      const booking = (slot: number) =>
        JSON.stringify({
          venue_id: venue.id,
          start_datetime: new Date(day + (9 + slot) * HOUR_MS).toISOString(),
          end_datetime: new Date(day + (10 + slot) * HOUR_MS).toISOString(),
          notes: 'x'.repeat(2000),
        })
      const head = (body: string) =>
        `POST /api/bookings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${user.token}\r\nContent-Length: ${body.length}\r\n\r\n`

      // Chunked, with an Idempotency-Key, its ten parts spread over 1.5 s.
      const chunked = fetch(`${first.url}/api/bookings`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${user.token}`,
          'idempotency-key': `${tag}-chunked`,
        },
        body: trickle(booking(0), 1500),
        duplex: 'half',
      } as RequestInit)
      // A declared length, on a connection kept alive from an earlier request: a little of the
      // body before the signal, the rest after it.
      const gate = Promise.withResolvers<void>()
      const declaredBody = booking(1)
      const declared = rawRequest(first.url, head(declaredBody), (write) => {
        write(declaredBody.slice(0, 100))
        void gate.promise.then(async () => {
          for (let at = 100; at < declaredBody.length; at += 500) {
            await Bun.sleep(100)
            write(declaredBody.slice(at, at + 500))
          }
        })
      }, true)
      // The head alone before the signal, the whole body after it.
      const headOnlyBody = booking(2)
      const headOnly = rawRequest(first.url, head(headOnlyBody), (write) => {
        void gate.promise.then(async () => {
          await Bun.sleep(500)
          write(headOnlyBody)
        })
      })
      await Promise.all([declared.ready, headOnly.ready])
      await Bun.sleep(300)

      const exiting = stopServer(first, 'SIGTERM', (SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000)
      await Bun.sleep(100)
      gate.resolve()
      const chunkedAnswer = await chunked
      const answers = [await declared.answer, await headOnly.answer]
      const exit = await exiting

      expect(chunkedAnswer.status).toBe(201)
      ids.push(((await chunkedAnswer.json()) as { id: number }).id)
      for (const answer of answers) {
        expect(answer).toStartWith('HTTP/1.1 201')
        ids.push(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).id)
      }
      expect(exit).toMatchObject({ code: 0, killed: false })
      expect(first.output()).toContain('"msg":"stopped"')
    } finally {
      first.cleanup()
    }

    // A fresh server on the same database lists exactly those three bookings for the user.
    const second = await startServerProcess(serverEnv)
    try {
      const list = await api(second.url).must(200, 'GET', '/api/bookings?page_size=100', {
        token: userToken,
      })
      expect(list.items.map((b: { id: number }) => b.id).sort()).toEqual([...ids].sort())
    } finally {
      second.cleanup()
    }
  }, 150_000)
})
