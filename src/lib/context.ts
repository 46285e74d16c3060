import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Database } from '../db/client'
import type { Env } from '../env'
import type { Cache } from './cache/cache'
import type { LoginThrottle } from './login-throttle'
import type { Logger } from './logger'
import type { MemoryMonitor, ShedReason } from './memory/monitor'
import type { Metrics } from './metrics'

/** What a running service is made of; built once in src/index.ts, and by tests the same way. */
export interface Deps {
  env: Env
  database: Database
  logger: Logger
  startedAt: number
  /** JWT_SECRET; in development one kept in DATA_DIR, in tests a random one per process. */
  jwtSecret: string
  loginThrottle: LoginThrottle
  /** Memory state and counters behind the guard, /api/health/memory and /metrics. */
  memory: MemoryMonitor
  metrics: Metrics
  /** Rarely changing public reads; in Redis when REDIS_URL is set. */
  cache: Cache
  /** Stops timers and closes connections other than the database's. */
  close(): Promise<void>
}

export interface AuthUser {
  id: number
  role: 'user' | 'admin'
}

export interface AppEnv {
  Variables: {
    deps: Deps
    requestId: string
    user: AuthUser
    /** Set when the memory guard refused the request (counted, not logged one by one). */
    shed: ShedReason | undefined
  }
}

export type AppOpenAPI = OpenAPIHono<AppEnv>
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
