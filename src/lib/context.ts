import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Database } from '../db/client'
import type { Env } from '../env'
import type { LoginThrottle } from './login-throttle'
import type { Logger } from './logger'

/** What a running service is made of; built once in src/index.ts, and by tests the same way. */
export interface Deps {
  env: Env
  database: Database
  logger: Logger
  startedAt: number
  /** JWT_SECRET, or a random one per process outside production (tokens then die on restart). */
  jwtSecret: string
  loginThrottle: LoginThrottle
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
  }
}

export type AppOpenAPI = OpenAPIHono<AppEnv>
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
