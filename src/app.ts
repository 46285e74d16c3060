import type { Deps } from './lib/context'
import { createApp } from './lib/create-app'
import { healthRouter } from './routes/health/health.index'

/** The whole HTTP surface: every router mounted on the shared base. */
export function buildApp(deps: Deps) {
  return createApp(deps).route('/', healthRouter)
}

export type App = ReturnType<typeof buildApp>
export type AppType = App
