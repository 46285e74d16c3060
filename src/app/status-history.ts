import type { MemoryMonitor, ShedReason } from './memory/monitor'
import type { RecentRequests } from './recent-requests'

/** One sample every 5 s for 5 minutes: what the status page's charts show when it opens. */
export const HISTORY_INTERVAL_MS = 5000
export const HISTORY_CAPACITY = 60

/** One moment of the history; counts are of the interval that ended at `at`. */
export interface HistorySample {
  /** Epoch milliseconds. */
  at: number
  rss_bytes: number
  /** The JS engine's heap blocks (heapTotal): a part of rss_bytes. */
  heap_bytes: number
  limit_bytes: number
  usage_percent: number
  requests: number
  /** Answers 5xx the memory guard did not shed: real errors. */
  errors_5xx: number
  /** Requests the memory guard refused with 503, by reason. */
  shed: Record<ShedReason, number>
  /** Time to response headers of the interval's requests, in ms; null when there were none. */
  latency_ms: { mean: number; p50: number; p95: number } | null
}

interface Counters {
  requests: number
  errors5xx: number
  shed: Record<ShedReason, number>
}

/**
 * The last 5 minutes of memory, requests, errors and sheds, sampled in process from start-up, so
 * an operator who opens the status page sees them at once rather than from the moment it opened.
 * A fixed ring of 60 small records (under 20 KB), never more.
 */
export class StatusHistory {
  private readonly ring: (HistorySample | undefined)[]
  private next = 0
  private last: Counters
  private timer: Timer | undefined

  constructor(
    private readonly memory: MemoryMonitor,
    private readonly requests: RecentRequests,
    readonly intervalMs = HISTORY_INTERVAL_MS,
    readonly capacity = HISTORY_CAPACITY,
  ) {
    this.ring = new Array(capacity)
    this.last = this.counters()
  }

  private counters(): Counters {
    return {
      requests: this.requests.total,
      errors5xx: this.requests.errors5xx,
      shed: { ...this.memory.shedByReason },
    }
  }

  /** Records the interval that ends now; the timer calls it, tests call it with their instants. */
  sample(now = Date.now()): HistorySample {
    const counters = this.counters()
    const shed = { ...counters.shed }
    for (const reason of Object.keys(shed) as ShedReason[]) shed[reason] -= this.last.shed[reason]
    const { latency_ms: latency } = this.requests.summary(this.intervalMs, now)
    const r = this.memory.reading
    const sample: HistorySample = {
      at: now,
      rss_bytes: r.rss,
      heap_bytes: Math.min(r.heapTotal, r.rss),
      limit_bytes: this.memory.limit.bytes,
      usage_percent: Math.round(this.memory.usagePercent * 100) / 100,
      requests: counters.requests - this.last.requests,
      errors_5xx: counters.errors5xx - this.last.errors5xx,
      shed,
      latency_ms: latency && { mean: latency.mean, p50: latency.p50, p95: latency.p95 },
    }
    this.last = counters
    this.ring[this.next] = sample
    this.next = (this.next + 1) % this.capacity
    return sample
  }

  /** The samples, oldest first. */
  samples(): HistorySample[] {
    const ordered: HistorySample[] = []
    for (let i = 0; i < this.capacity; i++) {
      const sample = this.ring[(this.next + i) % this.capacity]
      if (sample) ordered.push(sample)
    }
    return ordered
  }

  latest(): HistorySample | undefined {
    return this.ring[(this.next + this.capacity - 1) % this.capacity]
  }

  /** Samples every `intervalMs` without keeping the process alive. */
  start() {
    if (this.timer) return
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
  }

  stop() {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
