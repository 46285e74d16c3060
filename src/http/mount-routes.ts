import type { OpenAPIHono, OpenAPIRoute, RouteConfig } from '@hono/zod-openapi'
import type { Env, Schema } from 'hono'

/** The names under which a routes module exports a route (it may export schemas beside them). */
type RouteNames<Routes> = {
  [K in keyof Routes & string]: Routes[K] extends RouteConfig ? K : never
}[keyof Routes & string]

type Route<Routes, K> = Extract<Routes[K & keyof Routes], RouteConfig>

/** One route per name, each with the handler of its name, checked as `.openapi()` checks it. */
type Handlers<Routes, Names extends string, E extends Env> = {
  [K in Names]: OpenAPIRoute<Route<Routes, K>, E>['handler']
}

type Pairs<Routes, H, Names extends readonly string[]> = {
  [I in keyof Names]: { route: Route<Routes, Names[I]>; handler: H[Names[I] & keyof H] }
}

/**
 * Adds the named routes of a routes module to a router, each with the handler of the same name
 * from its handlers module, in the order named: hono matches overlapping paths, and the document
 * lists paths, in the order routes are added. The router keeps every route's type (paths, inputs,
 * responses) as a chain of `.openapi()` calls would, through `openapiRoutes`, so the typed client
 * sees each route.
 *
 * @example
 * export const itemsRouter = mountRoutes(createRouter(), routes, handlers, ['list', 'get'])
 */
export function mountRoutes<
  E extends Env,
  S extends Schema,
  BasePath extends string,
  Routes,
  const Names extends readonly RouteNames<Routes>[],
  H extends Handlers<Routes, Names[number], E>,
>(router: OpenAPIHono<E, S, BasePath>, routes: Routes, handlers: H, names: Names) {
  const pairs = names.map((name) => ({ route: routes[name], handler: handlers[name] }))
  return router.openapiRoutes(pairs as Pairs<Routes, H, Names>)
}
