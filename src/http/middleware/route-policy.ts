import type { Context, Hono, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { RouterRoute } from 'hono/types'

/**
 * How the memory guard treats a route (docs/memory.md):
 * - `health`: never shed, logged at debug: probes, metrics, the status page. These routes are
 *   also mounted ahead of the guard (src/app/build-app.ts), so it never sees them at all.
 * - `read`: shed only when memory is critical.
 * - `heavy`: shed from `high` on: work that allocates in proportion to its input or output.
 */
export type GuardClass = 'health' | 'read' | 'heavy'

/** What a route declares about itself to the app-wide middleware, as a fastify route's config. */
export interface RoutePolicy {
  /** Default: `heavy` for a write (POST, PUT, PATCH, DELETE), `read` for anything else. */
  guard?: GuardClass
  /** `password`: the route waits for a password hash, so its in-flight place is in a pool apart. */
  inFlight?: 'shared' | 'password'
  /**
   * `buffered` (default): read whole by the body limit, up to MAX_BODY_SIZE_MB with a valid bearer
   * token and ANONYMOUS_BODY_MAX_KB without; `anonymous`: the small limit even with a token;
   * `stream`: the route reads and counts its body itself (uploads).
   */
  body?: 'buffered' | 'anonymous' | 'stream'
}

const POLICY = Symbol('route policy')
type Marker = MiddlewareHandler & { [POLICY]?: RoutePolicy }
const NONE: RoutePolicy = Object.freeze({})
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Declares a policy for the routes of `path` (exact, or ending in `/*`) on `router`, and returns
 * the router. It is mounted as a middleware that does nothing but carry the policy, found by the
 * app-wide middleware among a request's matched routes; where two match, the later one wins.
 *
 * @example
 * export const uploadsRouter = withPolicy(createRouter(), '/api/uploads/*', { body: 'stream' })
 *   .openapi(routes.create, handlers.create)
 */
export function withPolicy<R extends Hono<any, any, any>>(
  router: R,
  path: string,
  policy: RoutePolicy,
): R {
  router.use(path, policyMarker(policy))
  return router
}

/** A middleware that does nothing but carry a policy; `createRoute({ policy })` mounts one. */
export function policyMarker(policy: RoutePolicy): MiddlewareHandler {
  const marker: Marker = function routePolicy(_c, next) {
    return next()
  }
  marker[POLICY] = Object.freeze({ ...policy })
  return marker
}

const merge = (policy: RoutePolicy, own: RoutePolicy | undefined) =>
  own ? (policy === NONE ? own : { ...policy, ...own }) : policy

const resolved = new WeakMap<Request, RoutePolicy>()

/** The policy declared for the route a request matched: the guard, the body limit, the log ask. */
export function policyOf(c: Context): RoutePolicy {
  let policy = resolved.get(c.req.raw)
  if (policy) return policy
  policy = NONE
  for (const { handler } of matchedRoutes(c)) policy = merge(policy, (handler as Marker)[POLICY])
  resolved.set(c.req.raw, policy)
  return policy
}

/** The guard class of a request: its route's, else by its method. */
export const guardClassOf = (c: Context): GuardClass =>
  policyOf(c).guard ?? (WRITES.has(c.req.method) ? 'heavy' : 'read')

/**
 * The policy an app's routes declare for a path of its OpenAPI document (`{id}` segments are
 * compared as they are), for what the document says about requests it cannot see.
 */
export function policyOfPath(routes: readonly RouterRoute[], path: string): RoutePolicy {
  let policy = NONE
  for (const route of routes) {
    const own = (route.handler as Marker)[POLICY]
    if (own && covers(route.path, path)) policy = merge(policy, own)
  }
  return policy
}

function covers(pattern: string, path: string) {
  if (!pattern.endsWith('/*')) return pattern === path
  const prefix = pattern.slice(0, -2)
  return path === prefix || path.startsWith(`${prefix}/`)
}
