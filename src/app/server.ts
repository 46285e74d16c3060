import { buildApp } from './build-app'
import { openDatabase, type Database } from '../db/client'
import { migrate } from '../db/migrate'
import type { Env } from '../env'
import type { Deps } from './context'
import { createDeps } from './deps'
import { draining } from './drain'
import { problemResponse, statusProblem } from '../http/problem'
import { startPeriodicGc } from './memory/periodic-gc'
import { uploadLimits } from '../services/uploads/limits'
import { jsonMaxBytes } from '../http/middleware/body-limit'
import { startUploadSweeps } from '../services/uploads/sweep-uploads'
import { startKeyExpiry } from '../services/idempotency/expire-keys'
import { ensureAdmin } from '../services/users/users'

/**
 * The least time the port and kept-alive connections stay open after the signal: long enough for
 * a request a client sent as the signal came, short enough not to slow a deploy.
 */
const LAME_DUCK_MS = 1000

export interface RunningServer {
  deps: Deps
  server: ReturnType<typeof Bun.serve>
  /**
   * Aborts deps.shutdown, drains (see below; up to SHUTDOWN_TIMEOUT_SECONDS), closes the pool.
   * Safe to call more than once.
   */
  stop(): Promise<void>
}

/** Opens the database, applies migrations and serves the app (src/app/build-app.ts). */
export async function startServer(env: Env): Promise<RunningServer> {
  // The port first: a second `npm start` must fail on it before it opens (and locks) a database.
  const server = listen(env)
  let database: Database
  let deps: Deps
  const shutdown = new AbortController()
  try {
    database = openDatabase(env)
    if (env.DB_MIGRATE_ON_START) await migrate(database)
    deps = createDeps(env, database, { shutdown: shutdown.signal })
    if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
      await ensureAdmin(database.db, env.ADMIN_EMAIL, env.ADMIN_PASSWORD)
    }
  } catch (error) {
    server.stop(true)
    throw error
  }
  const { logger, memory } = deps
  const app = buildApp(deps)
  memory.start()
  deps.history.start()
  const stopGc = startPeriodicGc(memory, env.GC_INTERVAL_SECONDS)
  const stopUploadSweeps = startUploadSweeps({ db: database.db, dir: env.UPLOAD_DIR, logger })
  const stopKeyExpiry = startKeyExpiry({
    db: database.db,
    hours: env.IDEMPOTENCY_KEY_HOURS,
    logger,
  })
  const drain = draining(app.fetch, shutdown.signal)
  server.reload({ fetch: drain.fetch })
  // Start-up's work (migrations, building the routes) is done with: its garbage and its compiled
  // code go now rather than at the first periodic run.
  if (env.GC_INTERVAL_SECONDS > 0) memory.collect('idle')

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
  if (database.kind === 'pglite' && env.NODE_ENV === 'production') {
    logger.warn(
      'running on embedded PGlite: one process per DATA_DIR, about 90 MB more RSS idle than on ' +
        'PostgreSQL; set DATABASE_URL for production (docs/container.md)',
    )
  }
  const base = publicUrl(env.HOST, server.port ?? env.PORT)
  logger.info(
    {
      port: server.port,
      database: database.kind,
      api: `${base}/api`,
      docs: `${base}/api/docs`,
      status: `${base}/status`,
    },
    'listening',
  )

  /**
   * The shutdown (docs/operations.md): deps.shutdown aborts, so readiness answers 503, open event
   * streams end, and every answer carries `Connection: close`. The port stays open and kept-alive
   * connections are served until the requests in flight at the signal are answered, and for at
   * least LAME_DUCK_MS: a client that sends on its idle connection just after the signal gets an
   * answer, not a reset or a refused reconnection. Then the port and the idle connections close,
   * and the requests that came meanwhile finish; past SHUTDOWN_TIMEOUT_SECONDS the rest are cut.
   */
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down')
      shutdown.abort()
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, env.SHUTDOWN_TIMEOUT_SECONDS * 1000, 'timeout').unref(),
      )
      const lameDuck = Bun.sleep(Math.min(LAME_DUCK_MS, env.SHUTDOWN_TIMEOUT_SECONDS * 500))
      await Promise.race([Promise.all([drain.settled(), lameDuck]), timeout])
      const drained = server.stop(false)
      if ((await Promise.race([drained, timeout])) === 'timeout') {
        logger.warn('shutdown time-out reached; closing remaining connections')
        await server.stop(true)
      }
      stopGc()
      await stopUploadSweeps()
      await stopKeyExpiry()
      await deps.close()
      await database.close()
      logger.info('stopped')
    })())

  return { deps, server, stop }
}

/**
 * Binds the port at once, answering 503 + Retry-After until the app is ready (the database is
 * opened and migrated meanwhile); the app's own handler replaces it through `server.reload`.
 */
function listen(env: Env) {
  try {
    return Bun.serve({
      port: env.PORT,
      hostname: env.HOST,
      fetch: () =>
        problemResponse(statusProblem(503, 'the service is starting'), { 'Retry-After': '1' }),
      // Bodies are limited by the app itself (per route, with problem answers); Bun's own cap is
      // a backstop just above the largest of them.
      maxRequestBodySize:
        Math.max(jsonMaxBytes(env), uploadLimits(env).maxRequestBytes) + 1024 * 1024,
      idleTimeout: 30,
    })
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error
    throw Object.assign(new Error(`port ${env.PORT} on ${env.HOST} is already in use`), {
      code: 'EADDRINUSE',
    })
  }
}

/** The address to print for people: a wildcard bind is reached through localhost. */
function publicUrl(host: string, port: number) {
  if (host === '0.0.0.0' || host === '::') return `http://localhost:${port}`
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
