import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/**
 * Parses the Prometheus text format 0.0.4 strictly enough to catch a malformed exposition: every
 * line is a HELP, a TYPE, or `name{labels} value`, and every sample belongs to a declared family.
 */
function parseExposition(text: string): Sample[] {
  const families = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line)
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]!)
        families.set(meta[2]!, meta[3]!)
      }
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) {
      labels[pair[1]!] = pair[2]!
    }
    const name = m[1]!
    const family = name.replace(/_(bucket|sum|count)$/, '')
    if (!families.has(name) && !families.has(family)) throw new Error(`undeclared family: ${name}`)
    samples.push({ name, labels, value: Number(m[3]) })
  }
  return samples
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )

describe('GET /metrics', () => {
  test('Prometheus text: requests by route pattern, memory, shed counts, GC, pool', async () => {
    const t = await testApp()
    await t.app.request('/api/venues/987654321')
    await t.app.request('/api/venues/987654322')
    await t.app.request('/api/venues')
    await t.app.request('/api/no-such-thing/42')
    t.deps.memory.collect('periodic')

    const res = await t.app.request('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const samples = parseExposition(await res.text())

    const byId = find(samples, 'http_requests_total', { route: '/api/venues/:id', status: '404' })
    expect(byId.map((s) => s.value)).toEqual([2])
    const list = find(samples, 'http_requests_total', { route: '/api/venues', status: '200' })
    expect(list[0]?.value).toBe(1)
    expect(find(samples, 'http_requests_total', { route: '(unmatched)' })[0]?.value).toBe(1)
    // No raw ids in any label.
    const labels = samples.flatMap((s) => Object.values(s.labels))
    expect(labels.some((v) => v.includes('987654321'))).toBe(false)
    const count = find(samples, 'http_request_duration_seconds_count', { route: '/api/venues/:id' })
    expect(count[0]?.value).toBe(2)
    const inf = find(samples, 'http_request_duration_seconds_bucket', { le: '+Inf' })
    expect(inf.length).toBeGreaterThan(0)

    const states = find(samples, 'memory_guard_state')
    expect(states.map((s) => s.labels.state).sort()).toEqual(['critical', 'high', 'ok'])
    expect(states.reduce((n, s) => n + s.value, 0)).toBe(1)
    expect(find(samples, 'memory_usage_ratio')[0]!.value).toBeGreaterThan(0)
    expect(find(samples, 'process_memory_bytes', { kind: 'rss' })[0]!.value).toBeGreaterThan(0)
    expect(find(samples, 'memory_shed_requests_total').map((s) => s.labels.reason).sort()).toEqual([
      'body_budget',
      'in_flight',
      'memory_critical',
      'memory_high',
      'out_of_memory',
    ])
    expect(find(samples, 'gc_runs_total', { reason: 'periodic' })[0]?.value).toBe(1)
    expect(find(samples, 'gc_duration_seconds_count', { reason: 'periodic' })[0]?.value).toBe(1)
    const pool = find(samples, 'db_pool_connections')
    expect(pool.map((s) => s.labels.state).sort()).toEqual(['idle', 'in_use', 'max'])
    expect(find(samples, 'db_pool_connections', { state: 'max' })[0]!.value).toBeGreaterThan(0)
  })

  test('two apps in one process keep their own counts', async () => {
    const a = await testApp()
    const b = await testApp()
    await a.app.request('/api/health')
    await a.app.request('/api/health')
    const inA = parseExposition(await (await a.app.request('/metrics')).text())
    const inB = parseExposition(await (await b.app.request('/metrics')).text())
    expect(find(inA, 'http_requests_total', { route: '/api/health' })[0]?.value).toBe(2)
    expect(find(inB, 'http_requests_total', { route: '/api/health' })).toEqual([])
  })

  test('with METRICS_TOKEN, a scrape without the bearer token is a 401 problem', async () => {
    const { app } = await testApp({ METRICS_TOKEN: 'scrape-secret' })
    const none = await app.request('/metrics')
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toBe('application/problem+json')
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    const scrape = (token: string) =>
      app.request('/metrics', { headers: { Authorization: `Bearer ${token}` } })
    const wrong = await scrape('scrape-secreT')
    expect(wrong.status).toBe(401)
    const right = await scrape('scrape-secret')
    expect(right.status).toBe(200)
    expect(await right.text()).toContain('# TYPE http_requests_total counter')
  })
})
