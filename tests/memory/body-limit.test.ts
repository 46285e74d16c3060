import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadLimits } from '../../src/lib/uploads/limits'
import { readJson, testApp, testEnv, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { makeUser, removeUsers } from '../support/users'

const MB = 1024 * 1024
const LOGIN = '/api/auth/login'

let t: TestApp
let server: ReturnType<typeof serve>

beforeAll(async () => {
  t = await testApp({ MAX_BODY_SIZE_MB: '1' })
  server = serve(t)
})
afterAll(() => server.stop())

/** A JSON body of about `bytes` bytes: a login with a long password. */
const bigLogin = (bytes: number) =>
  JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(bytes) })

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
    const res = await fetch(`${server.url}${LOGIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bigLogin(MB / 2),
    })
    // The route read and parsed it: the password is too long for the schema.
    expect(res.status).toBe(400)
    expect((await readJson(res)).errors).toEqual([expect.objectContaining({ path: 'password' })])
  })

  test('a declared Content-Length over the limit is 413 before the body is read', async () => {
    const res = await fetch(`${server.url}${LOGIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bigLogin(2 * MB),
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
    const res = await fetch(`${server.url}${LOGIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    await expectProblem(res, 413)
    // The server stopped reading at the limit; only socket buffers hold more than 1 MB.
    expect(sent).toBeLessThan(32 * MB)
  })

  test('a body longer than its Content-Length is 413', async () => {
    const res = await t.app.request(
      new Request(`http://localhost${LOGIN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '20' },
        body: bigLogin(1000),
      }),
    )
    await expectProblem(res, 413)
  })

  test('a body with no declared length is counted as it is read', async () => {
    const res = await t.app.request(LOGIN, { method: 'POST', body: bigLogin(2 * MB) })
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
