import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../../app/context'

export interface ResponseHeadersOptions {
  /** Browser origins allowed to call the API (CORS_ORIGINS); any other gets no CORS headers. */
  origins: readonly string[]
  allowHeaders: string[]
  allowMethods: string[]
  exposeHeaders: string[]
  /** Seconds a browser may cache a preflight answer. */
  maxAge: number
}

/** hono's secureHeaders defaults, with the resource policy opened to the frontend's origin. */
const SECURITY_HEADERS: [string, string][] = [
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
]

/** A caller's X-Request-Id is kept when it is short and plain, as hono's requestId does. */
const REQUEST_ID = /^[\w\-=]{1,255}$/

/**
 * The headers every answer carries, set in one pass on the final response: X-Request-Id (the
 * caller's when well formed, else a new UUID; also `c.var.requestId`), CORS for `origins`, and
 * the security headers. Same headers as hono's requestId, cors and secureHeaders, hand-written
 * for cost: cors writes through `c.res` before the handler and appends Vary after it, which makes
 * hono build the response three more times per request; setting everything in place afterwards
 * builds it once. Preflights are hono's cors itself.
 *
 * @example
 * app.use(
 *   responseHeaders({
 *     origins: env.CORS_ORIGINS,
 *     allowHeaders: ['Authorization', 'Content-Type'],
 *     allowMethods: ['GET', 'POST'],
 *     exposeHeaders: ['X-Request-Id'],
 *     maxAge: 600,
 *   }),
 * )
 */
export function responseHeaders(options: ResponseHeadersOptions): MiddlewareHandler<AppEnv> {
  const origins = new Set(options.origins)
  const expose = options.exposeHeaders.join(',')
  const preflight = cors({ ...options, origin: [...options.origins] })
  return async function responseHeaders(c, next) {
    const given = c.req.header('X-Request-Id')
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
    c.set('requestId', id)
    const origin = c.req.header('Origin')
    if (c.req.method === 'OPTIONS') {
      // A preflight never reaches a route: hono answers it (204) with its own CORS headers.
      const res = (await preflight(c, next)) as Response
      res.headers.set('X-Request-Id', id)
      return res
    }
    await next()
    const headers = c.res.headers
    headers.set('X-Request-Id', id)
    if (origin && origins.has(origin)) headers.set('Access-Control-Allow-Origin', origin)
    headers.set('Access-Control-Expose-Headers', expose)
    headers.append('Vary', 'Origin')
    for (const [name, value] of SECURITY_HEADERS) headers.set(name, value)
    headers.delete('X-Powered-By')
  }
}
