import type { Logger } from '../logger'
import type { MemoryLimit } from './limit'

export type MemoryState = 'ok' | 'high' | 'critical'
export type ShedReason =
  | 'memory_high'
  | 'memory_critical'
  | 'in_flight'
  | 'out_of_memory'
  | 'body_budget'
export type GcReason =
  | 'periodic'
  | 'idle'
  | 'pressure'
  | 'out_of_memory'
  | 'uploads'
  | 'exports'

export interface MemoryReading {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
}

export interface GcRun {
  reason: GcReason
  ms: number
  at: number
}

export interface MemoryMonitorOptions {
  limit: MemoryLimit
  thresholdPercent: number
  criticalPercent: number
  intervalMs: number
  logger: Logger
  /** Points below a state's entry level that usage must fall to before leaving it. */
  hysteresisPercent?: number
  /** Least time between two collections forced by pressure (entering or staying high). */
  pressureGcGapMs?: number
  read?: () => MemoryReading
  now?: () => number
  collectGarbage?: (reason: GcReason) => void
}

/** How often the event loop's punctuality is probed; a stall shows as a late tick. */
const LAG_TICK_MS = 100

const SHED_REASONS: ShedReason[] = [
  'memory_high',
  'memory_critical',
  'in_flight',
  'out_of_memory',
  'body_budget',
]
const rank: Record<MemoryState, number> = { ok: 0, high: 1, critical: 2 }

/**
 * A full collection; when the service is idle (`idle`), the engine is also asked to drop the code
 * it compiled (start-up's, and what the last burst of requests warmed), which it compiles again
 * when next needed: 4 MB of the idle heap at start-up. `Bun.shrink` is marked deprecated without
 * a successor; where it is gone, the collection alone runs.
 */
const collectProcess = (reason: GcReason) => {
  Bun.gc(true)
  if (reason === 'idle' && typeof Bun.shrink === 'function') Bun.shrink()
}

const readProcess = (): MemoryReading => {
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }
}

/**
 * The process's memory state, sampled on a timer so requests only read a cached value
 * (`process.memoryUsage()` costs microseconds, too much per request). Usage is RSS as a percent of
 * the limit; a state is entered at its level and left only once usage falls `hysteresisPercent`
 * points below it, so a process hovering at the threshold does not flap.
 */
export class MemoryMonitor {
  state: MemoryState = 'ok'
  reading: MemoryReading = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 }
  usagePercent = 0
  sampledAt = 0
  inFlight = 0
  /**
   * Requests the memory guard has let through since start-up (the health routes pass before it),
   * undefined when no guard counts them: how the periodic collection knows the service was idle.
   */
  admitted: number | undefined
  /** The longest event-loop stall seen during the last sampling interval (max, not mean). */
  eventLoopLagMs = 0
  readonly shedByReason: Record<ShedReason, number>
  gcRuns = 0
  lastGc: GcRun | undefined

  readonly limit: MemoryLimit
  readonly thresholdPercent: number
  readonly criticalPercent: number
  readonly intervalMs: number
  private readonly hysteresis: number
  private readonly pressureGcGapMs: number
  private readonly logger: Logger
  private readonly read: () => MemoryReading
  private readonly now: () => number
  private readonly collectGarbage: (reason: GcReason) => void
  private readonly gcListeners: ((run: GcRun) => void)[] = []
  private lastForcedAt = -Infinity
  private timer: Timer | undefined
  private lagTimer: Timer | undefined
  private lagWindowMax = 0

  constructor(options: MemoryMonitorOptions) {
    this.limit = options.limit
    this.thresholdPercent = options.thresholdPercent
    this.criticalPercent = options.criticalPercent
    this.intervalMs = options.intervalMs
    this.hysteresis = options.hysteresisPercent ?? 5
    this.pressureGcGapMs = options.pressureGcGapMs ?? 10_000
    this.logger = options.logger
    this.read = options.read ?? readProcess
    this.now = options.now ?? Date.now
    this.collectGarbage = options.collectGarbage ?? collectProcess
    this.shedByReason = {
      memory_high: 0,
      memory_critical: 0,
      in_flight: 0,
      out_of_memory: 0,
      body_budget: 0,
    }
    this.sample()
  }

  /** Takes a reading and moves between states; the timer calls it, tests call it directly. */
  sample(): MemoryState {
    this.reading = this.read()
    this.sampledAt = this.now()
    this.usagePercent = (this.reading.rss / this.limit.bytes) * 100
    this.eventLoopLagMs = this.lagWindowMax
    this.lagWindowMax = 0
    const next = this.nextState(this.usagePercent)
    if (next !== this.state) {
      const from = this.state
      this.state = next
      const worse = rank[next] > rank[from]
      this.logger[worse ? 'warn' : 'info'](
        {
          from,
          to: next,
          usage_percent: round(this.usagePercent),
          rss_bytes: this.reading.rss,
          limit_bytes: this.limit.bytes,
        },
        'memory state changed',
      )
    }
    // Shedding also slows allocation, and with it the engine's own collections: without a push,
    // the garbage that caused the pressure could keep the state up long after the load has gone.
    if (this.state !== 'ok') this.collect('pressure', this.pressureGcGapMs)
    return this.state
  }

  private nextState(usage: number): MemoryState {
    const critical = this.criticalPercent
    const high = this.thresholdPercent
    const h = this.hysteresis
    if (usage >= critical) return 'critical'
    if (this.state === 'critical' && usage >= critical - h) return 'critical'
    if (usage >= high) return 'high'
    if (this.state !== 'ok' && usage >= high - h) return 'high'
    return 'ok'
  }

  /**
   * A full, synchronous collection, timed. With `minGapMs`, skipped when a forced one ran that
   * recently, so sustained pressure does not turn into back-to-back pauses.
   */
  collect(reason: GcReason, minGapMs = 0): GcRun | undefined {
    const startedAt = this.now()
    if (minGapMs > 0) {
      if (startedAt - this.lastForcedAt < minGapMs) return undefined
      this.lastForcedAt = startedAt
    }
    const t0 = performance.now()
    this.collectGarbage(reason)
    const run: GcRun = { reason, ms: performance.now() - t0, at: startedAt }
    this.gcRuns++
    this.lastGc = run
    for (const listener of this.gcListeners) listener(run)
    return run
  }

  onCollect(listener: (run: GcRun) => void) {
    this.gcListeners.push(listener)
  }

  recordShed(reason: ShedReason) {
    this.shedByReason[reason]++
  }

  get shedTotal(): number {
    let total = 0
    for (const reason of SHED_REASONS) total += this.shedByReason[reason]
    return total
  }

  /** Samples every `intervalMs` and probes event-loop lag, without keeping the process alive. */
  start() {
    if (this.timer) return
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
    let due = performance.now() + LAG_TICK_MS
    this.lagTimer = setInterval(() => {
      const now = performance.now()
      this.lagWindowMax = Math.max(this.lagWindowMax, now - due)
      due = now + LAG_TICK_MS
    }, LAG_TICK_MS)
    this.lagTimer.unref()
  }

  stop() {
    clearInterval(this.timer)
    clearInterval(this.lagTimer)
    this.timer = undefined
    this.lagTimer = undefined
  }
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits
