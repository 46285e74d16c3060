import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
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
})
