import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../src/lib/create-app'
import { uploadMaxBytes, streamedBodyLimit } from '../../src/middleware/body-limit'
import { readJson, testApp, testEnv, type TestApp } from '../support/app'
import { serve } from '../support/serve'

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
    expect(uploadMaxBytes(env)).toBeGreaterThan(100 * MB)
  })

  test('the streamed limit for uploads counts bytes as the route reads them', async () => {
    const app = createApp(t.deps)
    app.post('/api/uploads/probe', streamedBodyLimit(MB), async (c) => {
      let n = 0
      for await (const chunk of c.req.raw.body!) n += chunk.byteLength
      return c.json({ read: n })
    })
    const probe = (body: Uint8Array, headers: Record<string, string> = {}) =>
      app.request(
        new Request('http://localhost/api/uploads/probe', { method: 'POST', body, headers }),
      )
    expect(await readJson(await probe(new Uint8Array(MB)))).toEqual({ read: MB })
    await expectProblem(await probe(new Uint8Array(MB + 1)), 413)
    await expectProblem(await probe(new Uint8Array(100), { 'content-length': '10' }), 413)
    await expectProblem(await probe(new Uint8Array(10), { 'content-length': String(2 * MB) }), 413)
    await expectProblem(await probe(new Uint8Array(10), { 'content-length': 'ten' }), 400)
  })
})
