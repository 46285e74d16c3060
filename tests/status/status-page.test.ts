import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { appWithFakeMemory } from '../memory/fake-memory'
import { hasChromium, launchChromium } from './browser'

// Chromium's start and a few stream events (one a second) take longer than bun's 5 s default.
const SLOW = 30_000

let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
let context: BrowserContext

beforeAll(async () => {
  if (!hasChromium) return
  browser = await launchChromium()
  context = browser.context
}, SLOW)

afterAll(async () => {
  await browser?.close()
})

/** The app with a memory reading the test sets, served on a loopback port. */
async function serveWithFakeMemory(env: Record<string, string> = {}) {
  const f = await appWithFakeMemory(env)
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: f.app.fetch })
  return { ...f, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}

/** Opens a page and records everything that would show in its console as a problem. */
async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`${message.type()}: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('requestfailed', (request) => {
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`)
  })
  await page.goto(url)
  return { page, problems }
}

const badge = (page: Page, state: string) =>
  page.waitForSelector(`#state[data-state="${state}"]`, { timeout: 10_000 })

/** The chart's y coordinate of a percentage of the limit, as the page's script computes it. */
const chartY = (percent: number) => 220 - (percent / 100) * 210

describe('GET /status in headless Chromium', () => {
  test.skipIf(!hasChromium)(
    'loads without console errors, draws the chart and follows the guard state',
    async () => {
      const f = await serveWithFakeMemory()
      const { page, problems } = await open(`${f.url}/status`)
      try {
        await badge(page, 'ok')
        // Two samples or more (the page's CSP forbids the string eval of waitForFunction).
        await page.waitForSelector('#chart[data-samples]:not([data-samples="1"])', {
          timeout: 10_000,
        })
        const points = (await page.getAttribute('#usage-line', 'points'))!.trim().split(' ')
        expect(points.length).toBeGreaterThanOrEqual(2)
        for (const point of points) {
          expect(Number(point.split(',')[1])).toBeCloseTo(chartY(50), 0)
        }
        expect(Number(await page.getAttribute('#threshold-line', 'y1'))).toBeCloseTo(chartY(85), 0)
        expect(Number(await page.getAttribute('#critical-line', 'y1'))).toBeCloseTo(chartY(90), 0)
        expect(await page.textContent('#rss')).toBe('50%')
        expect(await page.textContent('#connection')).toBe('live')

        f.setUsage(87)
        await badge(page, 'high')
        expect(await page.textContent('#state')).toBe('high')
        f.setUsage(93)
        await badge(page, 'critical')
        f.setUsage(40)
        await badge(page, 'ok')

        const last = (await page.getAttribute('#usage-line', 'points'))!.trim().split(' ').at(-1)!
        expect(Number(last.split(',')[1])).toBeCloseTo(chartY(40), 0)
        expect(problems).toEqual([])
      } finally {
        await page.close()
        f.stop()
      }
    },
    SLOW,
  )

  test.skipIf(!hasChromium)(
    'with METRICS_TOKEN, opened with ?token=, the page passes the token on to its stream',
    async () => {
      const token = 'operator-token-for-the-browser'
      const f = await serveWithFakeMemory({ METRICS_TOKEN: token })
      const refused = await context.newPage()
      const answer = await refused.goto(`${f.url}/status`)
      expect(answer?.status()).toBe(401)
      await refused.close()

      const { page, problems } = await open(`${f.url}/status?token=${token}`)
      try {
        await badge(page, 'ok')
        f.setUsage(88)
        await badge(page, 'high')
        expect(problems).toEqual([])
      } finally {
        await page.close()
        f.stop()
      }
    },
    SLOW,
  )

  test.skipIf(!hasChromium)(
    'opens on the last 5 minutes kept by the server, with figures that add up; screenshot',
    async () => {
      const f = await serveWithFakeMemory()
      // Five minutes of history as the server's timer would have taken it: usage rising and
      // falling, sheds through HTTP while high, and a 5xx now and then.
      const start = Date.now() - 59 * 5000
      let sheds = 0
      let errors = 0
      for (let i = 0; i < 60; i++) {
        f.setUsage(i >= 30 && i < 36 ? 88 : 45 + (i % 12))
        if (f.memory.state === 'high') {
          const res = await fetch(`${f.url}/api/auth/login`, { method: 'POST' })
          expect(res.status).toBe(503)
          sheds++
        }
        if (i % 20 === 7) {
          // No route answers 5xx on demand: recorded as the request middleware records one.
          f.deps.metrics.observeRequest('GET', '/api/venues', 500, 0.03)
          errors++
        }
        f.deps.history.sample(start + i * 5000)
      }
      f.setUsage(52)
      const shots = mkdtempSync(join(tmpdir(), 'status-page-'))
      const { page, problems } = await open(`${f.url}/status`)
      try {
        // The first drawing already spans the 5 minutes: 60 samples, the first at the left edge.
        await page.waitForSelector('#chart[data-samples]', { timeout: 10_000 })
        expect(Number(await page.getAttribute('#chart', 'data-samples'))).toBeGreaterThanOrEqual(60)
        const first = (await page.getAttribute('#usage-line', 'points'))!.trim().split(' ')[0]!
        expect(Number(first.split(',')[0])).toBeLessThan(44 + 588 / 30)
        expect(Number(first.split(',')[1])).toBeCloseTo(chartY(45), 0)

        expect(Number(await page.getAttribute('#events', 'data-shed'))).toBe(sheds)
        expect(Number(await page.getAttribute('#events', 'data-errors'))).toBe(errors)
        expect(await page.locator('#events-bars rect.memory_high').count()).toBe(sheds)
        expect(await page.locator('#events-bars rect.errors_5xx').count()).toBe(errors)
        expect(await page.textContent('#events-memory_high')).toBe(`shed: memory high ${sheds}`)
        expect(await page.textContent('#events-errors_5xx')).toBe(`5xx errors ${errors}`)

        await badge(page, 'ok')
        expect(await page.textContent('#shed')).toBe(String(sheds))
        expect(await page.textContent('#errors')).toBe(String(errors))

        // Figures whose parts add up as printed.
        const megabytes = (s: string) => [...s.matchAll(/([\d.]+) MB/g)].map((m) => Number(m[1]))
        const [rss, limit, headroom] = megabytes((await page.textContent('#rss-detail'))!)
        expect(rss! + headroom!).toBeCloseTo(limit!, 5)
        const [heap] = megabytes((await page.textContent('#heap'))!)
        const [outside, whole] = megabytes((await page.textContent('#heap-detail'))!)
        expect(heap! + outside!).toBeCloseTo(whole!, 5)
        expect(whole).toBe(rss!)
        expect(Number(await page.getAttribute('#heap', 'data-bytes'))).toBeLessThanOrEqual(
          Number(await page.getAttribute('#rss', 'data-bytes')),
        )
        expect(await page.textContent('#rss')).toBe('52%')

        // Latency: the stream's own requests have ended by now; all four figures of one window.
        await page.waitForSelector('#latency-detail:has-text("mean")', { timeout: 10_000 })
        const latency = (await page.textContent('#latency-detail'))!
        const [mean, p99] = [...latency.matchAll(/([\d.]+) ms/g)].map((m) => Number(m[1]))
        const tile = (await page.textContent('#latency'))!
        const [p50, p95] = [...tile.matchAll(/[\d.]+/g)].map(Number)
        expect(p50).toBeLessThanOrEqual(p95!)
        expect(p95).toBeLessThanOrEqual(p99!)
        expect(mean).toBeLessThanOrEqual(p99!)

        const file = join(shots, 'status.png')
        await page.screenshot({ path: file, fullPage: true })
        const png = readFileSync(file)
        expect(png.subarray(1, 4).toString()).toBe('PNG')
        expect(png.length).toBeGreaterThan(20_000)
        expect(problems).toEqual([])
      } finally {
        await page.close()
        f.stop()
        if (process.env.KEEP_SCREENSHOTS) console.info(`status page screenshot: ${shots}`)
        else rmSync(shots, { recursive: true, force: true })
      }
    },
    SLOW,
  )
})
