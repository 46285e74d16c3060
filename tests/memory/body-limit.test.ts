import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadLimits } from '../../src/services/uploads/limits'
import { readJson, testApp, testEnv, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { makeUser, removeUsers, type TestUser } from '../support/users'

const MB = 1024 * 1024
const KB = 1024
const BOOKINGS = '/api/bookings'
const LOGIN = '/api/auth/login'

let t: TestApp
let server: ReturnType<typeof serve>
let user: TestUser
let json: Record<string, string>

beforeAll(async () => {
  t = await testApp({ MAX_BODY_SIZE_MB: '1', ANONYMOUS_BODY_MAX_KB: '16' })
  server = serve(t)
  user = await makeUser(t)
  json = { 'content-type': 'application/json', ...user.auth }
})
afterAll(async () => {
  server.stop()
  await removeUsers(t, [user.id])
})

/** A JSON body of about `bytes` bytes: a booking with long notes. */
const bigBooking = (bytes: number) =>
  JSON.stringify({
    venue_id: 1,
    start_datetime: '2030-01-01T10:00:00Z',
    end_datetime: '2030-01-01T11:00:00Z',
    notes: 'x'.repeat(bytes),
  })

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(await readJson(res)).toMatchObject({ status })
}

/** Sends raw bytes on a fresh connection and returns what comes back before it closes. */
function rawHttp(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    let out = ''
    const done = setTimeout(() => resolve(out), 3000)
    Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open: (socket) => void socket.write(text),
        data: (_socket, data) => void (out += Buffer.from(data).toString()),
        close: () => {
          clearTimeout(done)
          resolve(out)
        },
        error: () => resolve(out),
      },
    })
  })
}

describe('body limits (MAX_BODY_SIZE_MB=1)', () => {
  test('a body within the limit reaches the route', async () => {
    const res = await fetch(`${server.url}${BOOKINGS}`, {
      method: 'POST',
      headers: json,
      body: bigBooking(MB / 2),
    })
    // The route read and parsed it: the notes are too long for the schema.
    expect(res.status).toBe(400)
    expect((await readJson(res)).errors).toEqual([expect.objectContaining({ path: 'notes' })])
  })

  test('a declared Content-Length over the limit is 413 before the body is read', async () => {
    const res = await fetch(`${server.url}${BOOKINGS}`, {
      method: 'POST',
      headers: json,
      body: bigBooking(2 * MB),
    })
    await expectProblem(res, 413)
  })

  test('a chunked body that grows past the limit is 413, and reading stops there', async () => {
    let sent = 0
    const chunk = new Uint8Array(64 * 1024).fill(32)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 256 * MB) return controller.close()
        sent += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    const res = await fetch(`${server.url}${BOOKINGS}`, {
      method: 'POST',
      headers: json,
      body,
      duplex: 'half',
    } as RequestInit)
    await expectProblem(res, 413)
    // The server stopped reading at the limit; only socket buffers hold more than 1 MB.
    expect(sent).toBeLessThan(32 * MB)
  })

  test('a body longer than its Content-Length is 413', async () => {
    const res = await t.app.request(
      new Request(`http://localhost${BOOKINGS}`, {
        method: 'POST',
        headers: { ...json, 'content-length': '20' },
        body: bigBooking(1000),
      }),
    )
    await expectProblem(res, 413)
  })

  test('a body with no declared length is counted as it is read', async () => {
    const res = await t.app.request(BOOKINGS, {
      method: 'POST',
      headers: user.auth,
      body: bigBooking(2 * MB),
    })
    await expectProblem(res, 413)
  })

  test('on the wire, bytes past the Content-Length are never read as the body', async () => {
    const body = '{"email":"a@example.com","password":"long enough"}'
    const answer = await rawHttp(
      server.url,
      `POST ${LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: 12\r\nConnection: close\r\n\r\n${body}${'x'.repeat(10_000)}`,
    )
    // Only the 12 declared bytes reached the route: malformed JSON.
    expect(answer).toStartWith('HTTP/1.1 400')
  })

  test('a malformed Content-Length is 400', async () => {
    for (const value of ['abc', '10abc', '-5', '1.5', '10, 20']) {
      const res = await t.app.request(
        new Request(`http://localhost${LOGIN}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': value },
          body: '{}',
        }),
      )
      await expectProblem(res, 400)
    }
    const answer = await rawHttp(
      server.url,
      `POST ${LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\nConnection: close\r\n\r\n{}`,
    )
    expect(answer).toStartWith('HTTP/1.1 400')
  })

  test('uploads are left to their own, larger limit', async () => {
    // Anonymous: refused by the route (401), not by the 1 MB JSON limit.
    const res = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: new Uint8Array(2 * MB),
    })
    expect(res.status).toBe(401)
    const env = testEnv({ UPLOAD_MAX_FILES: '10', UPLOAD_MAX_FILE_MB: '10' })
    // The request-wide upload limit is the sum of the per-file limits, plus multipart framing.
    const { maxRequestBytes } = uploadLimits(env)
    expect(maxRequestBytes).toBeGreaterThan(100 * MB)
    expect(maxRequestBytes).toBeLessThan(101 * MB)
  })

  test('an upload body is held to the same rules while the route streams it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'body-limit-uploads-'))
    const uploads = await testApp({
      UPLOAD_DIR: dir,
      UPLOAD_MAX_FILES: '1',
      UPLOAD_MAX_FILE_MB: '1',
    })
    const user = await makeUser(uploads)
    try {
      const max = uploadLimits(uploads.deps.env).maxRequestBytes
      const post = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
        uploads.app.request(
          new Request('http://localhost/api/uploads', {
            method: 'POST',
            headers: {
              ...user.auth,
              'content-type': 'multipart/form-data; boundary=b',
              ...headers,
            },
            body,
          }),
        )
      // Bytes past the limit, before any part: counted, not parsed.
      const filler = new Uint8Array(max + 1).fill(0x41)
      const streamed = new Blob([filler]).stream()
      await expectProblem(await post(streamed), 413)
      await expectProblem(await post(new Uint8Array(100), { 'content-length': '10' }), 413)
      const declaredTooLong = { 'content-length': String(max + 1) }
      await expectProblem(await post(new Uint8Array(10), declaredTooLong), 413)
      await expectProblem(await post(new Uint8Array(10), { 'content-length': 'ten' }), 400)
      expect(readdirSync(dir)).toEqual([])
    } finally {
      await removeUsers(uploads, [user.id])
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('anonymous and sign-in bodies (ANONYMOUS_BODY_MAX_KB=16)', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    })

  test('a login or registration over 16 KB is 413 unread, with or without a token', async () => {
    const login = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(17 * KB) })
    for (const headers of [{}, user.auth] as Record<string, string>[]) {
      for (const path of [LOGIN, '/api/auth/register']) {
        const res = await post(path, login, headers)
        expect(res.status).toBe(413)
        expect(await readJson(res)).toMatchObject({ status: 413, max_bytes: 16 * KB })
      }
    }
  })

  test('a request without a valid token gets the small limit on every route', async () => {
    const invalid: Record<string, string>[] = [{}, { Authorization: 'Bearer not.a.token' }]
    for (const headers of invalid) {
      const res = await post(BOOKINGS, bigBooking(17 * KB), headers)
      expect(res.status).toBe(413)
      expect(await readJson(res)).toMatchObject({ max_bytes: 16 * KB })
    }
    // The same body with a valid token is within MAX_BODY_SIZE_MB and reaches the route.
    const res = await post(BOOKINGS, bigBooking(17 * KB), user.auth)
    expect(res.status).toBe(400)
    expect((await readJson(res)).errors).toEqual([expect.objectContaining({ path: 'notes' })])
  })

  test('a login of ordinary size still works', async () => {
    const res = await post(LOGIN, JSON.stringify({ email: user.email, password: user.password }))
    expect(res.status).toBe(200)
  })
})

describe('JSON shape, checked before parsing', () => {
  const post = (body: string, headers: Record<string, string> = json) =>
    fetch(`${server.url}${BOOKINGS}`, { method: 'POST', headers, body })

  test('1 MB of [ is 400 (too deeply nested), not parsed', async () => {
    const res = await post('['.repeat(MB - 1))
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect((await readJson(res)).detail).toBe('The JSON body nests deeper than 32 levels.')
  })

  test('an anonymous login of nested brackets is 400 too', async () => {
    const res = await fetch(`${server.url}${LOGIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":'.repeat(1000),
    })
    expect(res.status).toBe(400)
    expect((await readJson(res)).detail).toContain('nests deeper')
  })

  test('an array of 20,000 values is 400 (too many values)', async () => {
    const res = await post(JSON.stringify({ items: new Array(20_000).fill(0) }))
    expect(res.status).toBe(400)
    expect((await readJson(res)).detail).toBe('The JSON body holds more than 10000 values.')
  })

  test('brackets, commas and escaped quotes inside strings are not counted', async () => {
    const notes = `${'[{,'.repeat(500)} \\" ${'[['.repeat(100)}`
    const res = await post(
      JSON.stringify({
        venue_id: 0,
        start_datetime: '2030-01-01T10:00:00Z',
        end_datetime: '2030-01-01T11:00:00Z',
        notes,
      }),
    )
    // Parsed and validated by the route: only the venue is wrong.
    expect(res.status).toBe(400)
    expect((await readJson(res)).errors).toEqual([expect.objectContaining({ path: 'venue_id' })])
  })

  test('a compressed body is 415: request bodies are never decompressed', async () => {
    // A gzip bomb: 16 MB of zeros in about 16 KB.
    const bomb = Bun.gzipSync(new Uint8Array(16 * MB).fill(0x30))
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await fetch(`${server.url}${BOOKINGS}`, {
        method: 'POST',
        headers: { ...json, 'content-encoding': encoding },
        body: bomb,
      })
      await expectProblem(res, 415)
      expect(res.headers.get('accept-encoding')).toBe('identity')
    }
    const login = await fetch(`${server.url}${LOGIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Bun.gzipSync(JSON.stringify({ email: user.email, password: user.password })),
    })
    await expectProblem(login, 415)
    const upload = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: {
        ...user.auth,
        'content-type': 'multipart/form-data; boundary=b',
        'content-encoding': 'gzip',
      },
      body: Bun.gzipSync('--b--\r\n'),
    })
    await expectProblem(upload, 415)
  })
})

describe('body budget (BODY_BUDGET_MB=1)', () => {
  test('past the budget a body gets 503 + Retry-After unread, and gets in once it frees', async () => {
    const small = await testApp({ BODY_BUDGET_MB: '1', MAX_BODY_SIZE_MB: '15' })
    const smallServer = serve(small)
    const holder = await makeUser(small)
    const headers = { 'content-type': 'application/json', ...holder.auth }
    try {
      // One client holds 700 KB of a booking and keeps the rest of it back.
      const text = bigBooking(700 * KB)
      const cut = text.length - 10
      const release = Promise.withResolvers<void>()
      let sentHead = false
      const slow = fetch(`${smallServer.url}${BOOKINGS}`, {
        method: 'POST',
        headers,
        body: new ReadableStream<Uint8Array>({
          async pull(controller) {
            const encode = (part: string) => new TextEncoder().encode(part)
            if (sentHead) {
              await release.promise
              controller.enqueue(encode(text.slice(cut)))
              return controller.close()
            }
            sentHead = true
            controller.enqueue(encode(text.slice(0, cut)))
          },
        }),
        duplex: 'half',
      } as RequestInit)
      while (small.deps.bodyBudget.held < 700 * KB) await Bun.sleep(10)

      const refused = await fetch(`${smallServer.url}${BOOKINGS}`, {
        method: 'POST',
        headers,
        body: bigBooking(400 * KB),
      })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await readJson(refused)).toMatchObject({ status: 503, reason: 'body_budget' })
      expect(small.deps.memory.shedByReason.body_budget).toBe(1)
      // Health answers throughout.
      expect((await fetch(`${smallServer.url}/api/health`)).status).toBe(200)

      release.resolve()
      const first = await slow
      expect(first.status).toBe(400)
      expect((await readJson(first)).errors).toEqual([expect.objectContaining({ path: 'notes' })])
      expect(small.deps.bodyBudget.held).toBe(0)
      const again = await fetch(`${smallServer.url}${BOOKINGS}`, {
        method: 'POST',
        headers,
        body: bigBooking(400 * KB),
      })
      expect(again.status).toBe(400)
    } finally {
      smallServer.stop()
      await removeUsers(small, [holder.id])
    }
  })

  test('a body larger than the whole budget is 413: it could never be held', async () => {
    const small = await testApp({ BODY_BUDGET_MB: '1', MAX_BODY_SIZE_MB: '15' })
    const holder = await makeUser(small)
    try {
      const res = await small.app.request(BOOKINGS, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...holder.auth },
        body: bigBooking(2 * MB),
      })
      await expectProblem(res, 413)
      expect(small.deps.bodyBudget.held).toBe(0)
    } finally {
      await removeUsers(small, [holder.id])
    }
  })
})
