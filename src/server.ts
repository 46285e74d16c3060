import type { App } from './app'
import { openDatabase } from './db/client'
import { migrate } from './db/migrate'
import type { Env } from './env'
import type { Deps } from './lib/context'
import { createDeps } from './lib/deps'
import { startPeriodicGc } from './lib/memory/periodic-gc'
import { uploadLimits } from './lib/uploads/limits'
import { jsonMaxBytes } from './middleware/body-limit'
import { startUploadSweeps } from './services/uploads/sweep-uploads'
import { ensureAdmin } from './services/users/users'

export interface RunningServer {
  deps: Deps
  server: ReturnType<typeof Bun.serve>
  /** Stops accepting, lets in-flight requests finish (up to the shutdown time-out), closes the pool. */
  stop(): Promise<void>
}

/** Builds what the server answers with, once the service's parts exist: src/app.ts's buildApp. */
export type AppBuilder = (deps: Deps) => Pick<App, 'fetch'>

/**
 * Opens the database, applies migrations and serves the app `buildApp` makes; src/index.ts passes
 * the real one, and bench/lib/lazy-server.ts a variant that imports some routers on first use.
 */
export async function startServer(env: Env, buildApp: AppBuilder): Promise<RunningServer> {
  const database = openDatabase(env)
  if (env.DB_MIGRATE_ON_START) await migrate(database)
  const deps = createDeps(env, database)
  const { logger } = deps
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
    await ensureAdmin(database.db, env.ADMIN_EMAIL, env.ADMIN_PASSWORD)
  }
  const app = buildApp(deps)
  const { memory } = deps
  memory.start()
  const stopGc = startPeriodicGc(memory, env.GC_INTERVAL_SECONDS)
  const stopUploadSweeps = startUploadSweeps({ db: database.db, dir: env.UPLOAD_DIR, logger })

  const server = Bun.serve({
    port: env.PORT,
    hostname: env.HOST,
    fetch: app.fetch,
    // Bodies are limited by the app itself (per route, with problem answers); Bun's own cap is a
    // backstop just above the largest of them.
    maxRequestBodySize:
      Math.max(jsonMaxBytes(env), uploadLimits(env).maxRequestBytes) + 1024 * 1024,
    idleTimeout: 30,
  })
  logger.info(
    {
      limit_bytes: memory.limit.bytes,
      limit_source: memory.limit.source,
      rss_bytes: memory.reading.rss,
      guard: env.MEMORY_GUARD_ENABLED,
      gc_interval_seconds: env.GC_INTERVAL_SECONDS,
    },
    'memory limit',
  )
  logger.info({ port: server.port, database: database.kind }, 'listening')

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down')
      const drained = server.stop(false)
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, env.SHUTDOWN_TIMEOUT_SECONDS * 1000, 'timeout').unref(),
      )
      if ((await Promise.race([drained, timeout])) === 'timeout') {
        logger.warn('shutdown time-out reached; closing remaining connections')
        await server.stop(true)
      }
      stopGc()
      await stopUploadSweeps()
      await deps.close()
      await database.close()
      logger.info('stopped')
    })())

  return { deps, server, stop }
}
