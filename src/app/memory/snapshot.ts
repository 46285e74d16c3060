import type { Deps } from '../context'
import { iso, isoOrNull } from '../../lib/serialize'
import { round, type MemoryState, type ShedReason } from './monitor'
import type { LimitSource } from './limit'

/** The body of GET /api/health/memory. */
export interface MemorySnapshot {
  state: MemoryState
  rss_bytes: number
  heap_used_bytes: number
  heap_total_bytes: number
  external_bytes: number
  limit_bytes: number
  limit_source: LimitSource
  usage_percent: number
  threshold_percent: number
  critical_percent: number
  shed_total: number
  shed_by_reason: Record<ShedReason, number>
  in_flight: number
  gc_runs: number
  last_gc_at: string | null
  last_gc_ms: number | null
  uptime_seconds: number
  sampled_at: string
}

/** The monitor's last sample and counters, as the API shows them. */
export function memorySnapshot(deps: Pick<Deps, 'memory' | 'startedAt'>): MemorySnapshot {
  const { memory, startedAt } = deps
  const r = memory.reading
  return {
    state: memory.state,
    rss_bytes: r.rss,
    heap_used_bytes: r.heapUsed,
    heap_total_bytes: r.heapTotal,
    external_bytes: r.external,
    limit_bytes: memory.limit.bytes,
    limit_source: memory.limit.source,
    usage_percent: round(memory.usagePercent),
    threshold_percent: memory.thresholdPercent,
    critical_percent: memory.criticalPercent,
    shed_total: memory.shedTotal,
    shed_by_reason: { ...memory.shedByReason },
    in_flight: memory.inFlight,
    gc_runs: memory.gcRuns,
    last_gc_at: isoOrNull(memory.lastGc ? new Date(memory.lastGc.at) : null),
    last_gc_ms: memory.lastGc ? round(memory.lastGc.ms, 3) : null,
    uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
    sampled_at: iso(new Date(memory.sampledAt)),
  }
}
