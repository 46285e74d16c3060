import { buildApp, type App } from '../../src/app/build-app'
import { openDatabase, type Database } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { parseEnv, type Env } from '../../src/env'
import type { Deps } from '../../src/app/context'
import { createLogger } from '../../src/app/logger'
import { createDeps } from '../../src/app/deps'

/** The environment tests run with: the caller's DATABASE_URL (if any) and quiet logs. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Env {
  return parseEnv({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    GC_INTERVAL_SECONDS: '0',
    // Bulk fixtures (300,000 bookings) on a machine shared with other runs; the outage tests
    // set their own budget.
    DB_QUERY_TIMEOUT_MS: '30000',
    ...overrides,
  })
}

export const usingPostgres = Boolean(process.env.DATABASE_URL)

let shared: Promise<Database> | undefined

/**
 * One database for the whole test process: PGlite (in memory) costs seconds to start, so every
 * test file shares it; tests isolate themselves by creating their own rows.
 */
export function sharedDatabase(): Promise<Database> {
  shared ??= (async () => {
    const database = openDatabase(testEnv(), { inMemory: true })
    await migrate(database)
    return database
  })()
  return shared
}

export async function closeSharedDatabase() {
  if (!shared) return
  const database = await shared
  shared = undefined
  await database.close()
}

export interface TestApp {
  app: App
  deps: Deps
  database: Database
}

/** The real app on the shared database, optionally with other settings. */
export async function testApp(overrides: Record<string, string | undefined> = {}): Promise<TestApp> {
  const env = testEnv(overrides)
  const database = await sharedDatabase()
  const deps = createDeps(env, database, { logger: createLogger('silent') })
  return { app: buildApp(deps), deps, database }
}

export const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

/** A response's JSON for assertions; tests check shapes with expect, not with types. */
export const readJson = (res: Response): Promise<any> => res.json()
