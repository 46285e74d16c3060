import { describe, expect, test } from 'bun:test'
import { appWithFakeMemory, LIMIT } from '../memory/fake-memory'
import { readJson, testApp, type TestApp } from '../support/app'
import { startServerProcess } from '../support/process'
import { eventReader } from './events'

/** A test app on a loopback port; `pending()` counts the responses the server still sends. */
function serveApp(t: Pick<TestApp, 'app'>) {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: t.app.fetch })
  return {
    url: `http://127.0.0.1:${server.port}`,
    pending: () => server.pendingRequests,
    stop: () => server.stop(true),
  }
}

async function until(check: () => boolean, ms = 5000, refresh?: () => Promise<void>) {
  const deadline = Date.now() + ms
  for (await refresh?.(); !check(); await refresh?.()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await Bun.sleep(refresh ? 500 : 50)
  }
}

const streamUrlOf = (page: string) => /<body data-stream="([^"]*)"/.exec(page)?.[1]
const historyUrlOf = (page: string) => /<body [^>]*data-history="([^"]*)"/.exec(page)?.[1]

describe('GET /status', () => {
  test('a self-contained page under a nonce-based Content-Security-Policy', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const res = await t.app.request('/status')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/html')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()

    const page = await res.text()
    expect(page).toStartWith('<!doctype html>')
    expect(page).toContain(`<script nonce="${nonce}">`)
    expect(page).toContain(`<style nonce="${nonce}">`)
    expect(page).not.toMatch(/<script(?![^>]*nonce=)/)
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//)
    expect(streamUrlOf(page)).toBe('/status/stream')
    expect(historyUrlOf(page)).toBe('/status/history')

    const other = await t.app.request('/status')
    expect(other.headers.get('content-security-policy')).not.toContain(nonce)
  })

  test('METRICS_TOKEN: 401 without; a header or ?token= admits, also to the stream', async () => {
    const token = 'status-token/odd&chars+='
    const t = await testApp({ METRICS_TOKEN: token })
    for (const path of [
      '/status',
      '/status/stream',
      '/status/history',
      '/status?token=wrong',
      '/status/stream?token=',
      '/status/history?token=wrong',
    ]) {
      const res = await t.app.request(path)
      expect([path, res.status]).toEqual([path, 401])
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.headers.get('www-authenticate')).toContain('Bearer')
    }
    const wrongHeader = await t.app.request('/status', {
      headers: { Authorization: 'Bearer nope' },
    })
    expect(wrongHeader.status).toBe(401)

    const expected = `/status/stream?token=${encodeURIComponent(token)}`
    const byQuery = await t.app.request(`/status?token=${encodeURIComponent(token)}`)
    expect(byQuery.status).toBe(200)
    const page = await byQuery.text()
    expect(streamUrlOf(page)).toBe(expected.replaceAll('&', '&amp;'))
    expect(historyUrlOf(page)).toBe(
      `/status/history?token=${encodeURIComponent(token)}`.replaceAll('&', '&amp;'),
    )
    const byHeader = await t.app.request('/status', {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(byHeader.status).toBe(200)
    expect(streamUrlOf(await byHeader.text())).toBe(expected.replaceAll('&', '&amp;'))

    const stream = await t.app.request(expected)
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
    const history = await t.app.request(`/status/history?token=${encodeURIComponent(token)}`)
    expect(history.status).toBe(200)
  })
})

describe('GET /status/stream', () => {
  test('sends the figures of /api/health/memory and /metrics now, then every second', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const server = serveApp(t)
    try {
      const res = await fetch(`${server.url}/status/stream`, {
        headers: { 'Accept-Encoding': 'gzip, deflate' },
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/event-stream')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-encoding')).toBeNull()
      const events = eventReader(res)

      const first = await events.next()
      expect(first).toMatchObject({ event: 'figures', id: '1' })
      const memory = await readJson(await fetch(`${server.url}/api/health/memory`))
      expect(Object.keys(first.data.memory).sort()).toEqual(Object.keys(memory).sort())
      expect(first.data.memory).toMatchObject({
        limit_bytes: memory.limit_bytes,
        limit_source: memory.limit_source,
        threshold_percent: 85,
        critical_percent: 90,
      })
      expect(first.data.database).toMatchObject({ kind: t.database.kind })
      expect(first.data.database.max).toBeGreaterThanOrEqual(1)
      expect(first.data.guard_enabled).toBe(true)

      for (let i = 0; i < 5; i++) await fetch(`${server.url}/api/health`)
      const started = Date.now()
      const second = await events.next()
      expect(Date.now() - started).toBeLessThan(2000)
      expect(second.id).toBe('2')
      expect(second.data.requests.total).toBeGreaterThanOrEqual(first.data.requests.total + 6)
      expect(second.data.requests.per_second).toBeGreaterThan(0)
      expect(second.data.latency_ms.p50).toBeGreaterThanOrEqual(0)
      expect(second.data.latency_ms.p95).toBeGreaterThanOrEqual(second.data.latency_ms.p50)
      expect(Date.parse(second.data.at)).toBeGreaterThan(Date.parse(first.data.at))
      await events.close()
    } finally {
      server.stop()
    }
  })

  test('follows the guard: state changes and shed counts show in the next event', async () => {
    const f = await appWithFakeMemory({ METRICS_TOKEN: '' })
    const server = serveApp(f)
    try {
      const events = eventReader(await fetch(`${server.url}/status/stream`))
      expect((await events.next()).data.memory).toMatchObject({ state: 'ok', usage_percent: 50 })
      f.setUsage(87)
      expect((await fetch(`${server.url}/api/auth/login`, { method: 'POST' })).status).toBe(503)
      const next = (await events.next()).data.memory
      expect(next).toMatchObject({ state: 'high', usage_percent: 87 })
      expect(next.shed_by_reason.memory_high).toBe(1)
      expect(next.shed_total).toBe(1)

      // Critical sheds everything but the operators' views, this page among them.
      f.setUsage(95)
      expect((await fetch(`${server.url}/api/venues`)).status).toBe(503)
      expect((await fetch(`${server.url}/status`)).status).toBe(200)
      const again = eventReader(await fetch(`${server.url}/status/stream`))
      expect((await again.next()).data.memory).toMatchObject({ state: 'critical' })
      expect((await events.next()).data.memory.shed_by_reason.memory_critical).toBe(1)
      await again.close()
      await events.close()
    } finally {
      server.stop()
    }
  })

  test('ends when the client goes away', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const server = serveApp(t)
    try {
      const hangUp = new AbortController()
      const res = await fetch(`${server.url}/status/stream`, { signal: hangUp.signal })
      await eventReader(res).next()
      expect(server.pending()).toBe(1)
      hangUp.abort()
      await until(() => server.pending() === 0)
    } finally {
      server.stop()
    }
  })

  test('history from start-up; SIGTERM ends open streams, shutdown does not wait', async () => {
    const running = await startServerProcess({ SHUTDOWN_TIMEOUT_SECONDS: '30' })
    try {
      const events = eventReader(await fetch(`${running.url}/status/stream`))
      await events.next()
      // The server keeps its history from start-up, one sample every 5 s, with no page open.
      let samples: unknown[] = []
      await until(() => samples.length > 0, 20_000, async () => {
        samples = (await readJson(await fetch(`${running.url}/status/history`))).samples
      })
      const signalled = Date.now()
      running.proc.kill('SIGTERM')
      expect(await running.exited).toBe(0)
      expect(Date.now() - signalled).toBeLessThan(10_000)
      expect(running.output()).not.toContain('shutdown time-out reached')
    } finally {
      running.cleanup()
    }
  }, 90_000)
})

describe('GET /status/history', () => {
  test('the last 5 minutes from start-up: 60 samples at most, oldest first, bounded', async () => {
    const f = await appWithFakeMemory({ METRICS_TOKEN: '' })
    const empty = await f.app.request('/status/history')
    expect(empty.status).toBe(200)
    expect(empty.headers.get('cache-control')).toBe('no-store')
    expect(await readJson(empty)).toMatchObject({ interval_seconds: 5, capacity: 60, samples: [] })

    const start = Date.now() - 70 * 5000
    for (let i = 0; i < 70; i++) {
      f.setUsage(40 + (i % 10))
      f.deps.history.sample(start + i * 5000)
    }
    const body = await readJson(await f.app.request('/status/history'))
    expect(body.samples).toHaveLength(60)
    const times = body.samples.map((s: { at: number }) => s.at)
    expect(times[0]).toBe(start + 10 * 5000)
    expect(times.at(-1)).toBe(start + 69 * 5000)
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b))
    expect(Math.abs(body.now - Date.now())).toBeLessThan(60_000)
    expect(body.samples.at(-1)).toMatchObject({
      usage_percent: 49,
      rss_bytes: LIMIT * 0.49,
      heap_bytes: LIMIT * 0.49 * 0.75,
      limit_bytes: LIMIT,
    })
  })

  test('each sample counts its own interval: requests, sheds by reason, 5xx apart', async () => {
    const f = await appWithFakeMemory({ METRICS_TOKEN: '' })
    f.deps.history.sample()
    f.setUsage(87)
    for (let i = 0; i < 3; i++) {
      expect((await f.app.request('/api/auth/login', { method: 'POST' })).status).toBe(503)
    }
    f.setUsage(95)
    expect((await f.app.request('/api/venues')).status).toBe(503)
    f.setUsage(50)
    expect((await f.app.request('/api/health')).status).toBe(200)
    const first = f.deps.history.sample()
    // No route answers 5xx on demand: the request is recorded as the middleware records one.
    f.deps.metrics.observeRequest('GET', '/api/venues', 500, 0.02)
    const second = f.deps.history.sample()

    const { samples } = await readJson(await f.app.request('/status/history'))
    expect(samples.slice(-2)).toEqual([first, second])
    expect(first).toMatchObject({
      requests: 5,
      errors_5xx: 0,
      shed: { memory_high: 3, memory_critical: 1, in_flight: 0, out_of_memory: 0, body_budget: 0 },
    })
    expect(first.latency_ms!.p50).toBeLessThanOrEqual(first.latency_ms!.p95)
    expect(second).toMatchObject({
      requests: 1,
      errors_5xx: 1,
      shed: { memory_high: 0, memory_critical: 0 },
    })
  })

  test('in the OpenAPI document, guarded like the page', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const doc = await readJson(await t.app.request('/api/openapi.json'))
    const operation = doc.paths['/status/history'].get
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401'])
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(['token'])
  })
})

describe('the stream figures', () => {
  test('memory parts add up: JS heap + outside = RSS, RSS + headroom = limit', async () => {
    const f = await appWithFakeMemory({ METRICS_TOKEN: '' })
    const server = serveApp(f)
    try {
      f.setUsage(62)
      const events = eventReader(await fetch(`${server.url}/status/stream`))
      const { memory, memory_parts: parts } = (await events.next()).data
      expect(parts).toEqual({
        rss_bytes: memory.rss_bytes,
        js_heap_bytes: memory.heap_total_bytes,
        outside_heap_bytes: memory.rss_bytes - memory.heap_total_bytes,
        limit_bytes: LIMIT,
        headroom_bytes: LIMIT - memory.rss_bytes,
      })
      expect(parts.js_heap_bytes + parts.outside_heap_bytes).toBe(parts.rss_bytes)
      expect(parts.rss_bytes + parts.headroom_bytes).toBe(parts.limit_bytes)
      await events.close()
    } finally {
      server.stop()
    }
  })

  test('on the real process too: the heap is never more than the RSS it is part of', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const server = serveApp(t)
    try {
      // Memory outside the JS heap's blocks that Bun counts into heapUsed: the old page's
      // "heap used" grew past its "heap total" with buffers like these.
      const held = Array.from({ length: 8 }, () => new Uint8Array(4 << 20).fill(1))
      t.deps.memory.sample()
      const events = eventReader(await fetch(`${server.url}/status/stream`))
      const { memory_parts: parts } = (await events.next()).data
      expect(parts.js_heap_bytes).toBeGreaterThan(0)
      expect(parts.js_heap_bytes).toBeLessThanOrEqual(parts.rss_bytes)
      expect(parts.js_heap_bytes + parts.outside_heap_bytes).toBe(parts.rss_bytes)
      expect(parts.outside_heap_bytes).toBeGreaterThanOrEqual(held.length * (4 << 20))
      await events.close()
    } finally {
      server.stop()
    }
  })

  test('latency: mean and percentiles of the requests the rate counts', async () => {
    const t = await testApp({ METRICS_TOKEN: undefined })
    const server = serveApp(t)
    try {
      for (let i = 0; i < 20; i++) await fetch(`${server.url}/api/health`)
      const events = eventReader(await fetch(`${server.url}/status/stream`))
      const { requests, latency_ms: l } = (await events.next()).data
      expect(requests.in_window).toBeGreaterThanOrEqual(20)
      expect(requests.per_second).toBeCloseTo(requests.in_window / requests.window_seconds, 1)
      expect(l.p50).toBeLessThanOrEqual(l.p95)
      expect(l.p95).toBeLessThanOrEqual(l.p99)
      expect(l.mean).toBeLessThanOrEqual(l.p99)
      await events.close()
    } finally {
      server.stop()
    }
  })
})
