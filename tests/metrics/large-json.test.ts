import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { jsonInOneWrite } from '../../src/http/middleware/json-one-write'

const MAX = 1024
const small = { items: ['a', 'b'], note: 'café' }
const large = {
  items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `Court ${i}`, note: 'naïve' })),
}

const app = new Hono()
  .use(jsonInOneWrite({ maxWholeBytes: MAX }))
  .get('/small', (c) => c.json(small))
  .get('/large', async (c) => {
    await Bun.sleep(1) // answered after an await, as a database read is
    c.header('Link', '</large?cursor=x>; rel="next"')
    return c.json(large, 201, { 'X-Page': '1' })
  })

let server: ReturnType<typeof Bun.serve>
let url: string
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
  url = `http://127.0.0.1:${server.port}`
})
afterAll(() => server.stop(true))

describe('JSON answers larger than the cork buffer', () => {
  test('a large one is streamed, with the same JSON, status and headers', async () => {
    expect(JSON.stringify(large).length).toBeGreaterThan(MAX)
    const res = await fetch(`${url}/large`)
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('x-page')).toBe('1')
    expect(res.headers.get('link')).toBe('</large?cursor=x>; rel="next"')
    expect(res.headers.get('content-length')).toBeNull()
    expect(await res.json()).toEqual(large)
  })

  test('a small one is sent whole, with its length', async () => {
    const res = await fetch(`${url}/small`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const text = await res.text()
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    expect(JSON.parse(text)).toEqual(small)
  })
})
