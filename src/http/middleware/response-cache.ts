import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../../app/context'
import { routePattern } from '../../app/metrics'

interface CachedResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Headers a cached answer keeps; ETag and compression are recomputed by outer middleware. */
const KEPT_HEADERS = ['content-type', 'link']

/** The path and its query parameters in sorted order: `?a=1&b=2` and `?b=2&a=1` share an entry. */
function keyOf(namespace: string, url: string): string {
  const { pathname, searchParams } = new URL(url)
  searchParams.sort()
  const query = searchParams.toString()
  return `${namespace}:${pathname}${query ? `?${query}` : ''}`
}

/**
 * Serves a public GET from `c.var.deps.cache` (per path and query string) and keeps successful
 * answers for CACHE_TTL_SECONDS, under `namespace`; the writes that change what it answers are
 * listed against the namespace in routes/cache-changes.ts, and `dropChangedCaches` drops it after
 * them. Only for answers that are the same for every caller: never on a route that reads the
 * user. Sets `X-Cache: hit|miss`.
 *
 * @example
 * createRoute({ method: 'get', path: '/api/venues', middleware: cachedResponse('venues'), ... })
 * // routes/cache-changes.ts:
 * 'PATCH /api/admin/venues/{id}': ['venues'],
 */
export function cachedResponse(namespace: string): MiddlewareHandler<AppEnv> {
  return async function cachedResponse(c, next) {
    const { cache } = c.get('deps')
    if (cache.kind === 'off' || (c.req.method !== 'GET' && c.req.method !== 'HEAD')) return next()
    let loadedHere = false
    const entry = await cache.getOrLoad<CachedResponse>(
      keyOf(namespace, c.req.url),
      async () => {
        loadedHere = true
        await next()
        const res = c.res
        const body = await res.text()
        const headers: Record<string, string> = {}
        for (const name of KEPT_HEADERS) {
          const value = res.headers.get(name)
          if (value !== null) headers[name] = value
        }
        c.res = new Response(body, res)
        return { status: res.status, headers, body }
      },
      { cacheIf: (e) => e.status === 200 },
    )
    if (loadedHere) {
      c.header('X-Cache', 'miss')
      return
    }
    // A hit, or the answer to an identical request that was loading at the same moment.
    return c.body(entry.body, entry.status as ContentfulStatusCode, {
      ...entry.headers,
      'X-Cache': 'hit',
    })
  }
}

/** Drops every cached answer of a namespace, on the cache in use (in process or Redis). */
const invalidateCached = (c: Context<AppEnv>, namespace: string) =>
  c.get('deps').cache.invalidate(namespace)

/** Per write route (`METHOD /path/{param}`, as the OpenAPI document has it), what it changes. */
export type CacheChanges = Readonly<Record<string, readonly string[]>>

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The one rule that keeps cached reads true: once a write route has answered, and before the
 * answer leaves, the namespaces `changes` lists for it are dropped, so the next read (on any
 * instance, with Redis) sees the write. A refused write (4xx, or shed before its handler) changed
 * nothing and drops nothing; a handler's error may come after its change was committed, so a 5xx
 * from one drops too.
 *
 * @example
 * app.use(dropChangedCaches({ 'POST /api/programs/{id}/enroll': ['programs'] }))
 */
export function dropChangedCaches(changes: CacheChanges): MiddlewareHandler<AppEnv> {
  const byRoute = new Map(
    Object.entries(changes).map(([route, namespaces]) => [
      route.replace(/\{(\w+)\}/g, ':$1'),
      namespaces,
    ]),
  )
  return async function dropChangedCaches(c, next) {
    if (READS.has(c.req.method)) return next()
    await next()
    const { status } = c.res
    if (status >= 400 && !(status >= 500 && c.error)) return
    const namespaces = byRoute.get(`${c.req.method} ${routePattern(c)}`) ?? []
    await Promise.all(namespaces.map((namespace) => invalidateCached(c, namespace)))
  }
}
