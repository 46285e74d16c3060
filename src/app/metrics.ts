import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'
import { Counter, Gauge, Histogram, Registry } from './prom-client'
import type { Database } from '../db/client'
import type { Cache } from './cache/cache'
import type { MemoryMonitor, MemoryState, ShedReason } from './memory/monitor'
import { RecentRequests } from './recent-requests'

/**
 * The route pattern that answered (`/api/venues/:id`), never the raw path: ids in labels would
 * grow the series without bound. Requests no endpoint matched share one label.
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!
    if (route.method !== 'ALL') return route.path
  }
  return '(unmatched)'
}

export interface Metrics {
  registry: Registry
  /** The latest requests' durations, for the status page's latency and history. */
  recent: RecentRequests
  /** `shed`: the memory guard refused it (its 503 is counted as shed, not as an error). */
  observeRequest(
    method: string,
    route: string,
    status: number,
    seconds: number,
    shed?: boolean,
  ): void
}

interface Sources {
  memory: MemoryMonitor
  database: Pick<Database, 'poolStats'>
  cache: Cache
}

type RequestLabels = { method: string; route: string; status: string }

const STATES: MemoryState[] = ['ok', 'high', 'critical']
/** Any other method a client invents shares one label, so it cannot add series. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * Prometheus metrics on a registry of their own (not prom-client's global one), so several apps
 * in one process keep separate counts. Values owned elsewhere (memory, shed counts, pool) are read
 * at scrape time.
 */
export function createMetrics({ memory, database, cache }: Sources): Metrics {
  const registry = new Registry()
  const registers = [registry]

  // Requests are counted here and handed to prom-client at scrape time: each labelled update in
  // prom-client hashes its label set, and the histogram below already pays that once a request.
  const answered = new Map<string, { labels: RequestLabels; n: number }>()
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
    collect() {
      this.reset()
      for (const { labels, n } of answered.values()) this.inc(labels, n)
    },
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to the response headers, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  })

  new Gauge({
    name: 'memory_guard_state',
    help: 'Memory guard state: 1 for the current one of ok, high, critical',
    labelNames: ['state'] as const,
    registers,
    collect() {
      for (const state of STATES) this.set({ state }, memory.state === state ? 1 : 0)
    },
  })
  new Gauge({
    name: 'memory_usage_ratio',
    help: 'Resident set size over the memory limit, at the last sample',
    registers,
    collect() {
      this.set(memory.usagePercent / 100)
    },
  })
  new Gauge({
    name: 'process_memory_bytes',
    help: 'Memory at the last sample: rss, heap_used, heap_total, external, and the limit',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const r = memory.reading
      this.set({ kind: 'rss' }, r.rss)
      this.set({ kind: 'heap_used' }, r.heapUsed)
      this.set({ kind: 'heap_total' }, r.heapTotal)
      this.set({ kind: 'external' }, r.external)
      this.set({ kind: 'limit' }, memory.limit.bytes)
    },
  })
  new Counter({
    name: 'memory_shed_requests_total',
    help: 'Requests refused with 503 to protect memory, by reason',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      this.reset()
      for (const [reason, n] of Object.entries(memory.shedByReason) as [ShedReason, number][]) {
        this.inc({ reason }, n)
      }
    },
  })
  new Gauge({
    name: 'event_loop_lag_max_seconds',
    help: 'Longest event-loop stall during the last memory sampling interval',
    registers,
    collect() {
      this.set(memory.eventLoopLagMs / 1000)
    },
  })
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being handled now (health routes excluded)',
    registers,
    collect() {
      this.set(memory.inFlight)
    },
  })

  const gcRuns = new Counter({
    name: 'gc_runs_total',
    help: 'Full garbage collections forced by the service, by reason',
    labelNames: ['reason'] as const,
    registers,
  })
  const gcDuration = new Histogram({
    name: 'gc_duration_seconds',
    help: 'Duration of the forced full collections (the event loop is paused meanwhile)',
    labelNames: ['reason'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  })
  memory.onCollect((run) => {
    gcRuns.inc({ reason: run.reason })
    gcDuration.observe({ reason: run.reason }, run.ms / 1000)
  })

  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections: in_use, idle, and the max',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const pool = database.poolStats()
      this.set({ state: 'in_use' }, pool.inUse)
      this.set({ state: 'idle' }, pool.idle)
      this.set({ state: 'max' }, pool.max)
    },
  })
  new Counter({
    name: 'cache_lookups_total',
    help: 'Cache lookups by result: hit, miss, error',
    labelNames: ['result'] as const,
    registers,
    collect() {
      this.reset()
      this.inc({ result: 'hit' }, cache.stats.hits)
      this.inc({ result: 'miss' }, cache.stats.misses)
      this.inc({ result: 'error' }, cache.stats.errors)
    },
  })

  const recent = new RecentRequests()
  return {
    registry,
    recent,
    observeRequest(method, route, status, seconds, shed = false) {
      recent.record(status, seconds, shed)
      const known = METHODS.has(method) ? method : 'OTHER'
      const key = `${known} ${status} ${route}`
      let series = answered.get(key)
      if (!series) {
        series = { labels: { method: known, route, status: String(status) }, n: 0 }
        answered.set(key, series)
      }
      series.n++
      duration.observe(series.labels, seconds)
    },
  }
}
