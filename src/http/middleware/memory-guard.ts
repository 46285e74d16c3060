import type { Context, MiddlewareHandler } from 'hono'
import { LimitReached } from '../../lib/concurrency-limit'
import type { AppEnv } from '../../app/context'
import type { MemoryMonitor, ShedReason } from '../../app/memory/monitor'
import { Problem } from '../problem'
import { guardClassOf, policyOf } from './route-policy'

const details: Record<ShedReason, string> = {
  memory_high: 'The server is low on memory and is refusing heavy requests; try again shortly.',
  memory_critical: 'The server is out of memory headroom; try again shortly.',
  in_flight: 'The server is handling as many requests as it can; try again shortly.',
  out_of_memory: 'The server ran out of memory handling this request; try again shortly.',
  body_budget: 'The server is holding as many request bodies as it can; try again shortly.',
}

/** A refusal a client can act on: 503, an integer Retry-After, and never cached. */
export function shedProblem(reason: ShedReason, retryAfterSeconds: number): Problem {
  return new Problem(503, details[reason], {
    type: 'overloaded',
    headers: { 'Retry-After': String(retryAfterSeconds), 'Cache-Control': 'no-store' },
    extensions: { reason },
  })
}

/** Memory refusals ask for a wait of at least one sampling interval, when the state can change. */
export const memoryRetryAfter = (monitor: MemoryMonitor) =>
  Math.max(5, Math.ceil(monitor.intervalMs / 1000))

export interface MemoryGuardOptions {
  monitor: MemoryMonitor
  maxInFlight: number
}

/**
 * Sheds load before it can exhaust memory, reading the monitor's cached state (no syscall per
 * request), by the guard class each route declares (route-policy.ts): in `high`, `heavy` requests
 * get 503; in `critical`, everything but `health`; past `maxInFlight` concurrent requests, the
 * excess (routes that wait for a password hash count in a pool apart, half as large). Refusals are
 * counted by reason, not logged. Mount the health routes ahead of it.
 *
 * @example
 * app.route('/', healthRouter).use(memoryGuard({ monitor: deps.memory, maxInFlight: 64 }))
 */
export function memoryGuard(options: MemoryGuardOptions): MiddlewareHandler<AppEnv> {
  const { monitor, maxInFlight } = options
  const maxPasswordInFlight = Math.max(1, Math.floor(maxInFlight / 2))
  let passwordInFlight = 0
  monitor.admitted ??= 0
  const shed = (reason: ShedReason, retryAfter: number): never => {
    monitor.recordShed(reason)
    throw shedProblem(reason, retryAfter)
  }
  return async function memoryGuard(c, next) {
    const guard = guardClassOf(c)
    if (guard === 'health') return next()
    const state = monitor.state
    if (state === 'critical') {
      c.set('shed', 'memory_critical')
      shed('memory_critical', memoryRetryAfter(monitor))
    }
    if (state === 'high' && guard === 'heavy') {
      c.set('shed', 'memory_high')
      shed('memory_high', memoryRetryAfter(monitor))
    }
    const password = policyOf(c).inFlight === 'password'
    const full = password
      ? passwordInFlight >= maxPasswordInFlight
      : monitor.inFlight - passwordInFlight >= maxInFlight
    if (full) {
      c.set('shed', 'in_flight')
      shed('in_flight', 1)
    }
    monitor.inFlight++
    monitor.admitted = (monitor.admitted ?? 0) + 1
    if (password) passwordInFlight++
    try {
      await next()
    } finally {
      monitor.inFlight--
      if (password) passwordInFlight--
    }
  }
}

/**
 * Runs work that waits its turn behind a concurrency limit (lib/concurrency-limit.ts); when the
 * limit refuses, the caller gets the guard's own refusal: 503, Retry-After, counted as `in_flight`.
 */
export async function whenLimitAllows<T>(c: Context<AppEnv>, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof LimitReached)) throw error
    c.set('shed', 'in_flight')
    c.var.deps.memory.recordShed('in_flight')
    throw shedProblem('in_flight', 1)
  }
}
