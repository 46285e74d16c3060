import type { Deps } from '../../app/context'
import { memorySnapshot, type MemorySnapshot } from '../../app/memory/snapshot'
import type { RequestSummary } from '../../app/recent-requests'
import { iso } from '../../lib/serialize'
import type { HistorySample } from '../../app/status-history'

/** The window of the request rate and the latency; both come from the same requests. */
export const REQUEST_WINDOW_MS = 10_000

/**
 * Memory as parts that add up to their whole, all from one reading. Bun's `heapUsed` is not a
 * part of its `heapTotal`: it is the heap's size at the last collection and counts the buffers
 * and WebAssembly memory (PGlite's) the engine tracks, while `heapTotal` counts only the blocks
 * of small objects. Dividing one by the other gave "402 MB of 19 MB heap"; the page shows neither
 * as a share of the other.
 */
export interface MemoryParts {
  rss_bytes: number
  /** The JS engine's heap blocks (heapTotal), capped at RSS. */
  js_heap_bytes: number
  /** The rest of RSS: the runtime, compiled code, buffers, WebAssembly, allocator caches. */
  outside_heap_bytes: number
  limit_bytes: number
  /** The limit less RSS; negative when over it. */
  headroom_bytes: number
}

export interface StatusFigures {
  at: string
  guard_enabled: boolean
  memory: MemorySnapshot
  memory_parts: MemoryParts
  requests: {
    total: number
    per_second: number
    /** The span rate and latency cover: the window, or less under heavy traffic. */
    window_seconds: number
    in_window: number
  }
  /** Of the same requests as `requests.per_second`; null when none ended in the window. */
  latency_ms: RequestSummary['latency_ms']
  /** Answers 5xx since start, the memory guard's 503s not included (those are `memory.shed_*`). */
  errors_5xx: number
  /** The latest sample of /status/history; the page adds it to its charts. */
  history: HistorySample | null
  database: { kind: 'postgres' | 'pglite'; in_use: number; idle: number; max: number }
}

export function memoryParts(memory: MemorySnapshot): MemoryParts {
  const heap = Math.min(memory.heap_total_bytes, memory.rss_bytes)
  return {
    rss_bytes: memory.rss_bytes,
    js_heap_bytes: heap,
    outside_heap_bytes: memory.rss_bytes - heap,
    limit_bytes: memory.limit_bytes,
    headroom_bytes: memory.limit_bytes - memory.rss_bytes,
  }
}

/** The figures of one moment: the monitor's last reading and the latest requests. */
export function readFigures(deps: Deps, now = Date.now()): StatusFigures {
  const { recent } = deps.metrics
  const window = recent.summary(REQUEST_WINDOW_MS, now)
  const memory = memorySnapshot(deps)
  const pool = deps.database.poolStats()
  return {
    at: iso(new Date(now)),
    guard_enabled: deps.env.MEMORY_GUARD_ENABLED,
    memory,
    memory_parts: memoryParts(memory),
    requests: {
      total: recent.total,
      per_second: window.per_second,
      window_seconds: window.seconds,
      in_window: window.count,
    },
    latency_ms: window.latency_ms,
    errors_5xx: recent.errors5xx,
    history: deps.history.latest() ?? null,
    database: { kind: deps.database.kind, in_use: pool.inUse, idle: pool.idle, max: pool.max },
  }
}
