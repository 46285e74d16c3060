import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Database } from '../db/client'
import type { Env } from '../env'
import type { Logger } from './logger'

/** What a running service is made of; built once in src/index.ts, and by tests the same way. */
export interface Deps {
  env: Env
  database: Database
  logger: Logger
  startedAt: number
}

export interface AppEnv {
  Variables: {
    deps: Deps
    requestId: string
  }
}

export type AppOpenAPI = OpenAPIHono<AppEnv>
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
