import pino from 'pino'
import { buildApp } from '../../src/app/build-app'
import type { Database } from '../../src/db/client'
import { createDeps } from '../../src/app/deps'
import { MemoryMonitor } from '../../src/app/memory/monitor'
import { sharedDatabase, testEnv, type TestApp } from '../support/app'

export const LIMIT = 1_000_000

/**
 * The real app with a memory monitor whose readings, clock and collector the test drives:
 * `setUsage(87)` takes a sample at 87 % of the limit, as the timer would.
 */
export async function appWithFakeMemory(
  env: Record<string, string> = {},
  options: { database?: Database } = {},
) {
  let rss = LIMIT / 2
  let now = Date.parse('2030-01-01T00:00:00Z')
  const logs: Record<string, any>[] = []
  const collections: number[] = []
  const logger = pino(
    { level: 'info', base: null },
    { write: (line: string) => void logs.push(JSON.parse(line)) },
  )
  const memory = new MemoryMonitor({
    limit: { bytes: LIMIT, source: 'env' },
    thresholdPercent: 85,
    criticalPercent: 90,
    intervalMs: 2000,
    logger,
    read: () => ({ rss, heapUsed: rss / 2, heapTotal: (rss * 3) / 4, external: 1000 }),
    now: () => now,
    collectGarbage: () => void collections.push(now),
  })
  const database = options.database ?? (await sharedDatabase())
  const deps = createDeps(testEnv(env), database, { logger, memory })
  const t: TestApp = { app: buildApp(deps), deps, database }
  return {
    ...t,
    memory,
    logs,
    collections,
    setUsage(percent: number) {
      rss = (LIMIT * percent) / 100
      return memory.sample()
    },
    advance(ms: number) {
      now += ms
    },
    transitions: () => logs.filter((l) => l.msg === 'memory state changed'),
  }
}
