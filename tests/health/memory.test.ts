import { describe, expect, test } from 'bun:test'
import { detectMemoryLimit } from '../../src/app/memory/limit'
import { startPeriodicGc } from '../../src/app/memory/periodic-gc'
import { readJson, testApp } from '../support/app'
import { startServerProcess } from '../support/process'

const MB = 1024 * 1024
const GB = 1024 * MB

describe('GET /api/health/memory', () => {
  test('answers every field of the memory contract, uncached', async () => {
    const { app } = await testApp({ MEMORY_LIMIT_MB: '4096' })
    const res = await app.request('/api/health/memory')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = await readJson(res)
    expect(Object.keys(body).sort()).toEqual(
      [
        'state',
        'rss_bytes',
        'heap_used_bytes',
        'heap_total_bytes',
        'external_bytes',
        'limit_bytes',
        'limit_source',
        'usage_percent',
        'threshold_percent',
        'critical_percent',
        'shed_total',
        'shed_by_reason',
        'in_flight',
        'gc_runs',
        'last_gc_at',
        'last_gc_ms',
        'uptime_seconds',
        'sampled_at',
      ].sort(),
    )
    expect(body).toMatchObject({
      limit_bytes: 4096 * MB,
      limit_source: 'env',
      threshold_percent: 85,
      critical_percent: 90,
      shed_total: 0,
      shed_by_reason: {
        memory_high: 0,
        memory_critical: 0,
        in_flight: 0,
        out_of_memory: 0,
        body_budget: 0,
      },
      in_flight: 0,
    })
    expect(['ok', 'high', 'critical']).toContain(body.state)
    expect(body.rss_bytes).toBeGreaterThan(0)
    expect(body.heap_used_bytes).toBeGreaterThan(0)
    expect(body.usage_percent).toBeCloseTo((body.rss_bytes / body.limit_bytes) * 100, 1)
    expect(body.sampled_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Number.isInteger(body.uptime_seconds)).toBe(true)
  })

  test('reports the collections the service forced', async () => {
    const t = await testApp()
    const before = await readJson(await t.app.request('/api/health/memory'))
    expect(before).toMatchObject({ gc_runs: 0, last_gc_at: null, last_gc_ms: null })
    t.deps.memory.collect('periodic')
    const after = await readJson(await t.app.request('/api/health/memory'))
    expect(after.gc_runs).toBe(1)
    expect(after.last_gc_ms).toBeGreaterThanOrEqual(0)
    expect(Date.parse(after.last_gc_at)).toBeGreaterThan(Date.now() - 60_000)
  })
})

describe('periodic collection', () => {
  test('runs every GC_INTERVAL_SECONDS, is timed, and stops when asked', async () => {
    const t = await testApp()
    const { memory } = t.deps
    const started = Date.now()
    const stop = startPeriodicGc(memory, 1)
    try {
      while (memory.gcRuns < 2 && Date.now() - started < 10_000) await Bun.sleep(50)
      expect(memory.gcRuns).toBe(2)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
      // No request came meanwhile: the runs also dropped compiled code.
      expect(memory.lastGc).toMatchObject({ reason: 'idle' })
    } finally {
      stop()
    }
    await Bun.sleep(1500)
    expect(memory.gcRuns).toBe(2)
  })

  test('a collection due while requests are in flight waits for a quiet moment', async () => {
    const t = await testApp()
    const { memory } = t.deps
    let clock = 0
    const stop = startPeriodicGc(memory, 1, () => clock)
    try {
      memory.inFlight = 1
      clock = 1500
      await Bun.sleep(600)
      expect(memory.gcRuns).toBe(0)
      memory.inFlight = 0
      await Bun.sleep(600)
      expect(memory.gcRuns).toBe(1)
      // Busy for longer than another interval: it runs anyway.
      memory.inFlight = 3
      clock = 1500 + 2100
      await Bun.sleep(600)
      expect(memory.gcRuns).toBe(2)
    } finally {
      memory.inFlight = 0
      stop()
    }
  })

  test('a run is idle when no request passed the guard since the last one, else periodic', async () => {
    const t = await testApp()
    const { memory } = t.deps
    let clock = 0
    const runs = async (n: number) => {
      const started = Date.now()
      while (memory.gcRuns < n && Date.now() - started < 5000) await Bun.sleep(20)
      return memory.lastGc?.reason
    }
    const stop = startPeriodicGc(memory, 1, () => clock)
    try {
      clock = 1000
      expect(await runs(1)).toBe('idle')
      expect((await t.app.request('/api/venues')).status).toBe(200)
      clock = 2000
      expect(await runs(2)).toBe('periodic')
      // The health routes answer before the guard: probes do not keep the service from idling.
      expect((await t.app.request('/api/health')).status).toBe(200)
      clock = 3000
      expect(await runs(3)).toBe('idle')
    } finally {
      stop()
    }
  })

  test('GC_INTERVAL_SECONDS=0 disables it', async () => {
    const t = await testApp()
    startPeriodicGc(t.deps.memory, 0)()
    expect(t.deps.memory.gcRuns).toBe(0)
  })
})

describe('memory limit', () => {
  const files = (entries: Record<string, string>) => (path: string) => entries[path]

  test('MEMORY_LIMIT_MB wins over everything', () => {
    const limit = detectMemoryLimit({
      limitMb: 256,
      readText: files({ '/sys/fs/cgroup/memory.max': String(GB) }),
    })
    expect(limit).toEqual({ bytes: 256 * MB, source: 'env' })
  })

  test('a cgroup v2 memory.max is the limit; "max" means none', () => {
    const total = 16 * GB
    const v2 = (text: string) =>
      detectMemoryLimit({
        readText: files({ '/sys/fs/cgroup/memory.max': text }),
        totalBytes: total,
      })
    expect(v2(`${512 * MB}\n`)).toEqual({ bytes: 512 * MB, source: 'cgroup' })
    expect(v2('max\n')).toEqual({ bytes: total, source: 'system' })
  })

  test("the process's own cgroup is read, nested under the hierarchy", () => {
    const limit = detectMemoryLimit({
      readText: files({
        '/proc/self/cgroup': '0::/kubepods/pod1/app\n',
        '/sys/fs/cgroup/kubepods/pod1/app/memory.max': String(300 * MB),
        '/sys/fs/cgroup/memory.max': 'max',
      }),
      totalBytes: 16 * GB,
    })
    expect(limit).toEqual({ bytes: 300 * MB, source: 'cgroup' })
  })

  test('cgroup v1 memory.limit_in_bytes, whose "unlimited" is a huge number', () => {
    const v1 = '/sys/fs/cgroup/memory/memory.limit_in_bytes'
    const root = (text: string) =>
      detectMemoryLimit({ readText: files({ [v1]: text }), totalBytes: 16 * GB })
    expect(root(String(GB))).toEqual({ bytes: GB, source: 'cgroup' })
    expect(root('9223372036854771712')).toEqual({ bytes: 16 * GB, source: 'system' })
    const nested = detectMemoryLimit({
      readText: files({
        '/proc/self/cgroup': '4:memory:/docker/abc\n0::/\n',
        '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(200 * MB),
        [v1]: '9223372036854771712',
      }),
      totalBytes: 16 * GB,
    })
    expect(nested).toEqual({ bytes: 200 * MB, source: 'cgroup' })
  })

  test('without a cgroup, or with one above the machine, the machine total is the limit', () => {
    expect(detectMemoryLimit({ readText: () => undefined, totalBytes: 8 * GB })).toEqual({
      bytes: 8 * GB,
      source: 'system',
    })
    const above = files({ '/sys/fs/cgroup/memory.max': String(64 * GB) })
    expect(detectMemoryLimit({ readText: above, totalBytes: 8 * GB })).toEqual({
      bytes: 8 * GB,
      source: 'system',
    })
  })
})

describe('a real server over a tiny MEMORY_LIMIT_MB', () => {
  test('sheds every request but the health routes, which keep answering', async () => {
    const server = await startServerProcess({
      MEMORY_LIMIT_MB: '16',
      MEMORY_CHECK_INTERVAL_MS: '200',
      GC_INTERVAL_SECONDS: '1',
    })
    try {
      const venues = await fetch(`${server.url}/api/venues`)
      expect(venues.status).toBe(503)
      expect(venues.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await readJson(venues)).reason).toBe('memory_critical')
      const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', body: '{}' })
      expect(login.status).toBe(503)

      expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
      const memory = await fetch(`${server.url}/api/health/memory`)
      expect(memory.status).toBe(200)
      expect(await readJson(memory)).toMatchObject({
        state: 'critical',
        limit_bytes: 16 * MB,
        limit_source: 'env',
        shed_by_reason: { memory_critical: 2 },
      })
      expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(503)
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200)

      // Samples keep coming every 200 ms; the state change is logged once, not per sample.
      await Bun.sleep(1500)
      const changes = server.output().match(/"msg":"memory state changed"/g) ?? []
      expect(changes).toHaveLength(1)
      expect(server.output()).toContain('"limit_source":"env"')
      // The collection forced on entering critical, then the periodic ones.
      const after = await readJson(await fetch(`${server.url}/api/health/memory`))
      expect(after.gc_runs).toBeGreaterThanOrEqual(2)
      expect(after.last_gc_ms).toBeGreaterThanOrEqual(0)
    } finally {
      server.cleanup()
    }
  }, 120_000)
})
