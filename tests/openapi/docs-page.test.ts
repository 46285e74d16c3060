import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { policyOfPath } from '../../src/http/middleware/route-policy'
import { hasChromium, launchChromium } from '../status/browser'
import { testApp, type TestApp } from '../support/app'

let t: TestApp

beforeAll(async () => {
  t = await testApp()
})

/** Every src and href of a page: what a browser would fetch to render it. */
const references = (html: string) =>
  [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)

describe('GET /api/docs serves everything it needs itself', () => {
  test('the page refers to no other host: its script and stylesheet are the API’s', async () => {
    const page = await (await t.app.request('/api/docs')).text()
    const refs = references(page)
    expect(refs.length).toBeGreaterThanOrEqual(3)
    for (const ref of refs) expect(ref).toStartWith('/api/')
    expect(page).not.toContain('cdn.')
  })

  test('Swagger UI’s script and stylesheet are served with their types and cached', async () => {
    for (const [file, type, marker] of [
      ['swagger-ui-bundle.js', 'text/javascript', 'SwaggerUIBundle'],
      ['swagger-ui.css', 'text/css', '.swagger-ui'],
    ] as const) {
      const res = await t.app.request(`/api/docs/assets/${file}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toStartWith(type)
      expect(res.headers.get('cache-control')).toContain('max-age')
      expect(await res.text()).toContain(marker)
    }
  })

  test('a file that is not one of the page’s assets is refused with a problem', async () => {
    for (const file of ['package.json', '..%2F..%2Fpackage.json', 'index.html']) {
      const res = await t.app.request(`/api/docs/assets/${file}`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toStartWith('application/problem+json')
    }
  })
})

describe('GET /api/docs in headless Chromium with no network beyond loopback', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
  let server: ReturnType<typeof Bun.serve> | undefined

  beforeAll(async () => {
    if (!hasChromium) return
    browser = await launchChromium()
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: t.app.fetch })
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    server?.stop(true)
  })

  test.skipIf(!hasChromium)(
    'renders the API’s operations from its own assets',
    async () => {
      const blocked: string[] = []
      const { context } = browser!
      // The offline reader: any request off the loopback address fails as it would without network.
      await context.route('**/*', (route) => {
        const { hostname } = new URL(route.request().url())
        if (hostname === '127.0.0.1') return route.continue()
        blocked.push(route.request().url())
        return route.abort('internetdisconnected')
      })
      const page = await context.newPage()
      await page.goto(`http://127.0.0.1:${server!.port}/api/docs`)
      await page.waitForSelector('.opblock', { timeout: 20_000 })
      const operations = await page.locator('.opblock').count()
      const paths = await page.locator('.opblock-summary-path').allTextContents()
      expect(operations).toBeGreaterThan(30)
      expect(paths).toContain('/api/bookings')
      expect(blocked).toEqual([])
    },
    60_000,
  )
})

describe('the OpenAPI document declares retries', () => {
  let doc: any
  beforeAll(async () => {
    doc = await (await t.app.request('/api/openapi.json')).json()
  })

  test('both creates that replay take an Idempotency-Key header, with an example', () => {
    for (const path of ['/api/bookings', '/api/rack-orders']) {
      const header = doc.paths[path].post.parameters.find(
        (p: any) => p.in === 'header' && p.name === 'idempotency-key',
      )
      expect(header?.required).toBeFalsy()
      expect(header?.schema?.example ?? header?.example).toBeString()
    }
    expect(doc.paths['/api/bookings'].post.requestBody.content['application/json'].schema)
      .toBeDefined()
  })

  test('every route the memory guard can shed declares 503 with Retry-After and an example', () => {
    const neverShed: string[] = []
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (policyOfPath(t.app.routes, path).guard === 'health') {
        neverShed.push(path)
        continue
      }
      for (const [method, operation] of Object.entries<any>(item)) {
        const refused = operation.responses['503']
        expect(refused, `${method} ${path}`).toBeDefined()
      }
    }
    expect(neverShed.sort()).toEqual([
      '/api/health',
      '/api/health/memory',
      '/api/health/ready',
      '/metrics',
      '/status',
      '/status/history',
      '/status/stream',
    ])
    const shed = doc.paths['/api/venues'].get.responses['503']
    expect(shed.headers['Retry-After'].schema.type).toBe('integer')
    expect(shed.content['application/problem+json'].example.status).toBe(503)
  })

  test('a throttled login is a 429 with Retry-After and an example', () => {
    const throttled = doc.paths['/api/auth/login'].post.responses['429']
    expect(throttled.headers['Retry-After']).toBeDefined()
    expect(throttled.content['application/problem+json'].example).toMatchObject({ status: 429 })
  })
})
