import type { MetricValueWithName } from 'prom-client'
import type { Deps } from '../../app/context'
import { round } from '../../app/memory/monitor'
import { memorySnapshot, type MemorySnapshot } from '../../app/memory/snapshot'
import { iso } from '../../lib/serialize'

export interface StatusFigures {
  at: string
  guard_enabled: boolean
  memory: MemorySnapshot
  requests: {
    total: number
    /** Over the last `window_seconds`; null until two readings exist. */
    per_second: number | null
    window_seconds: number
  }
  /** Time to response headers over the same window; null when no request finished in it. */
  latency_ms: { mean: number | null; p50: number | null; p95: number | null }
  database: { kind: 'postgres' | 'pglite'; in_use: number; idle: number; max: number }
}

/** Cumulative counts of the request metrics at one moment. */
interface Reading {
  at: number
  count: number
  seconds: number
  /** Requests at or under each bucket's upper bound, in seconds, ascending. */
  buckets: [le: number, count: number][]
}

async function readRequestMetrics(deps: Pick<Deps, 'metrics'>, at: number): Promise<Reading> {
  const { registry } = deps.metrics
  const histogram = await registry.getSingleMetric('http_request_duration_seconds')?.get()
  let count = 0
  let seconds = 0
  const byBound = new Map<number, number>()
  for (const sample of (histogram?.values ?? []) as MetricValueWithName<string>[]) {
    if (sample.metricName?.endsWith('_count')) count += sample.value
    else if (sample.metricName?.endsWith('_sum')) seconds += sample.value
    else if (sample.metricName?.endsWith('_bucket')) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le)
      byBound.set(le, (byBound.get(le) ?? 0) + sample.value)
    }
  }
  return { at, count, seconds, buckets: [...byBound].sort((a, b) => a[0] - b[0]) }
}

/**
 * A quantile from cumulative bucket counts, interpolated inside its bucket as Prometheus'
 * histogram_quantile() does; the open-ended bucket answers its lower bound.
 */
function quantile(q: number, buckets: [number, number][], total: number): number {
  const rank = q * total
  let lower = 0
  let below = 0
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lower
      const inBucket = count - below
      return inBucket === 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket
    }
    lower = le
    below = count
  }
  return lower
}

const ms = (seconds: number) => round(seconds * 1000, 1)

/**
 * Reads the figures of one stream, one call per event. Rates and latencies are the change of the
 * /metrics counters across a sliding window, so each open page keeps the few readings it needs.
 */
export function figuresSampler(deps: Deps, windowMs = 10_000) {
  const readings: Reading[] = []
  return async function next(): Promise<StatusFigures> {
    const now = Date.now()
    const reading = await readRequestMetrics(deps, now)
    readings.push(reading)
    while (readings.length > 2 && now - readings[1]!.at >= windowMs) readings.shift()
    const oldest = readings[0]!
    const elapsed = (reading.at - oldest.at) / 1000
    const count = reading.count - oldest.count
    const before = new Map(oldest.buckets)
    const delta = reading.buckets.map(([le, n]): [number, number] => [
      le,
      n - (before.get(le) ?? 0),
    ])
    const pool = deps.database.poolStats()
    return {
      at: iso(new Date(now)),
      guard_enabled: deps.env.MEMORY_GUARD_ENABLED,
      memory: memorySnapshot(deps),
      requests: {
        total: reading.count,
        per_second: elapsed > 0 ? round(count / elapsed) : null,
        window_seconds: round(elapsed, 1),
      },
      latency_ms:
        count > 0
          ? {
              mean: ms((reading.seconds - oldest.seconds) / count),
              p50: ms(quantile(0.5, delta, count)),
              p95: ms(quantile(0.95, delta, count)),
            }
          : { mean: null, p50: null, p95: null },
      database: { kind: deps.database.kind, in_use: pool.inUse, idle: pool.idle, max: pool.max },
    }
  }
}
