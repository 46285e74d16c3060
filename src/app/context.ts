import type { RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Database } from '../db/client'
import type { Env } from '../env'
import type { Bearer } from '../http/middleware/auth'
import type { AuthStates } from './cache/auth-states'
import type { Cache } from './cache/cache'
import type { AuthThrottle } from './throttle/auth-throttle'
import type { BodyBudget } from './memory/body-budget'
import type { Logger } from './logger'
import type { MemoryMonitor, ShedReason } from './memory/monitor'
import type { Metrics } from './metrics'
import type { AuthUser } from '../services/users/account'
import type { StatusHistory } from './status-history'

/** What a running service is made of; built once in src/index.ts, and by tests the same way. */
export interface Deps {
  env: Env
  database: Database
  logger: Logger
  startedAt: number
  /** JWT_SECRET; in development one kept in DATA_DIR, in tests a random one per process. */
  jwtSecret: string
  /** Limits on password checks and registrations (lib/auth-throttle.ts). */
  authThrottle: AuthThrottle
  /** Memory state and counters behind the guard, /api/health/memory and /metrics. */
  memory: MemoryMonitor
  /** Bytes of request bodies held at once, against BODY_BUDGET_MB or a share of the limit. */
  bodyBudget: BodyBudget
  metrics: Metrics
  /** The last 5 minutes of memory, requests, errors and sheds, for the status page. */
  history: StatusHistory
  /** Rarely changing public reads; in Redis when REDIS_URL is set. */
  cache: Cache
  /** Each user's role and token version for a few seconds; in Redis when REDIS_URL is set. */
  authStates: AuthStates
  /**
   * Aborted when the process is told to stop (SIGTERM, SIGINT; src/app/server.ts): readiness turns
   * 503 and long-lived answers (event streams) end. Never aborts in an app without a server.
   */
  shutdown: AbortSignal
  /** Stops timers and closes connections other than the database's. */
  close(): Promise<void>
}

export type { AuthUser }

export interface AppEnv {
  Variables: {
    deps: Deps
    requestId: string
    user: AuthUser
    /** The request's bearer token, verified once (http/middleware/auth.ts bearerOf). */
    bearer: Promise<Bearer | undefined> | undefined
    /** Set when the memory guard refused the request (counted, not logged one by one). */
    shed: ShedReason | undefined
  }
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
