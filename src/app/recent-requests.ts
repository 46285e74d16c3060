/** How many of the latest requests are kept: 2048 x (duration + end time) x 8 bytes = 32 KB. */
export const RECENT_CAPACITY = 2048

/** Requests in a window, and their latency: every figure from the same requests. */
export interface RequestSummary {
  /** Requests that ended in the window. */
  count: number
  /** The span the figures cover: the window, or less when more requests ended than are kept. */
  seconds: number
  per_second: number
  /** Time to response headers, in ms; null when no request ended in the window. */
  latency_ms: { mean: number; p50: number; p95: number; p99: number } | null
}

const round1 = (n: number) => Math.round(n * 10) / 10

/**
 * The durations and end times of the latest requests in a fixed ring, so the status page can
 * give the mean and the percentiles of one set of requests. The Prometheus histogram cannot:
 * its percentiles are interpolated inside coarse buckets while its mean is exact, so a page
 * built on it showed a mean below the median. Hand-written because prom-client keeps no raw
 * samples and its summaries age out by time only, with no bound on what they hold.
 */
export class RecentRequests {
  /** Every request answered since start, and those answered 5xx that the guard did not shed. */
  total = 0
  errors5xx = 0
  private readonly ms: Float64Array
  private readonly endedAt: Float64Array
  private readonly scratch: Float64Array
  private next = 0
  private held = 0

  constructor(readonly capacity = RECENT_CAPACITY) {
    this.ms = new Float64Array(capacity)
    this.endedAt = new Float64Array(capacity)
    this.scratch = new Float64Array(capacity)
  }

  record(status: number, seconds: number, shed: boolean, now = Date.now()) {
    this.total++
    if (status >= 500 && !shed) this.errors5xx++
    this.ms[this.next] = seconds * 1000
    this.endedAt[this.next] = now
    this.next = (this.next + 1) % this.capacity
    if (this.held < this.capacity) this.held++
  }

  /** The requests that ended in the last `windowMs`. */
  summary(windowMs: number, now = Date.now()): RequestSummary {
    const from = now - windowMs
    let count = 0
    let sum = 0
    let oldest = now
    for (let i = 0; i < this.held; i++) {
      const at = this.endedAt[i]!
      if (at <= from || at > now) continue
      const ms = this.ms[i]!
      this.scratch[count++] = ms
      sum += ms
      if (at < oldest) oldest = at
    }
    // A full ring whose oldest request is inside the window lost earlier ones: the figures then
    // cover only the span the kept requests do.
    const overflowed = this.held === this.capacity && count === this.capacity
    const seconds = (overflowed ? Math.max(now - oldest, 1) : windowMs) / 1000
    if (count === 0) return { count, seconds, per_second: 0, latency_ms: null }
    const sorted = this.scratch.subarray(0, count).sort()
    // Nearest rank: every percentile is a duration one of these requests actually took.
    const at = (q: number) => round1(sorted[Math.max(0, Math.ceil(q * count) - 1)]!)
    return {
      count,
      seconds: round1(seconds),
      per_second: round1(count / seconds),
      latency_ms: { mean: round1(sum / count), p50: at(0.5), p95: at(0.95), p99: at(0.99) },
    }
  }
}
