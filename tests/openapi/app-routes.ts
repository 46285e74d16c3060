import type { App } from '../../src/app/build-app'
import { answeredThroughId } from '../../src/routes/bookings/bookings.index'

export interface AppRoute {
  /** Upper case, as Hono keeps it: GET, POST, ... */
  method: string
  /** The OpenAPI form of the path: `{id}` where Hono has `:id`. */
  path: string
  /** `METHOD path`, how the tests name a route in their tables and messages. */
  key: string
}

// ALL entries are middleware (app.use); HEAD and OPTIONS are answered by Hono and CORS themselves.
const notEndpoints = new Set(['ALL', 'HEAD', 'OPTIONS'])

export const openApiPath = (honoPath: string) =>
  honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}')

/**
 * Every endpoint the app answers, once each: Hono lists a route once per handler it chains
 * (middleware, validators, the handler), so entries are merged by method and path. A literal
 * path answered through its {id} sibling (RegExpRouter holds no literal beside a parameter) is
 * not a route of its own: it is added from the list its router keeps.
 */
export function appRoutes(app: App): AppRoute[] {
  const byKey = new Map<string, AppRoute>()
  for (const route of [...app.routes, ...answeredThroughId]) {
    if (notEndpoints.has(route.method)) continue
    const path = openApiPath(route.path)
    const key = `${route.method} ${path}`
    if (!byKey.has(key)) byKey.set(key, { method: route.method, path, key })
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key))
}
