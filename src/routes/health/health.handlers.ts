import type { AppRouteHandler } from '../../app/context'
import { memorySnapshot } from '../../app/memory/snapshot'
import { Problem } from '../../http/problem'
import { memoryRetryAfter } from '../../http/middleware/memory-guard'
import type * as routes from './health.routes'

export const live: AppRouteHandler<typeof routes.live> = (c) => {
  const uptime = (Date.now() - c.get('deps').startedAt) / 1000
  return c.json({ status: 'ok' as const, uptime_seconds: Math.round(uptime) }, 200)
}

export const ready: AppRouteHandler<typeof routes.ready> = async (c) => {
  const { database, memory, shutdown } = c.get('deps')
  // The instance is draining: a load balancer stops sending it new work.
  if (shutdown.aborted) {
    throw new Problem(503, 'The instance is shutting down.', {
      type: 'not-ready',
      headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      extensions: { shutting_down: true },
    })
  }
  // A load balancer takes a critical instance out of rotation until it recovers.
  if (memory.state === 'critical') {
    throw new Problem(503, 'Memory is critical; the instance is shedding load.', {
      type: 'not-ready',
      headers: { 'Retry-After': String(memoryRetryAfter(memory)), 'Cache-Control': 'no-store' },
      extensions: { memory_state: memory.state },
    })
  }
  try {
    await withTimeout(database.ping(), 2000)
  } catch (cause) {
    throw new Problem(503, 'The database does not answer.', {
      type: 'not-ready',
      headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      cause,
    })
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ status: 'ready' as const, database: database.kind }, 200)
}

export const memory: AppRouteHandler<typeof routes.memory> = (c) => {
  c.header('Cache-Control', 'no-store')
  return c.json(memorySnapshot(c.get('deps')), 200)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
