import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../app/context'
import { Problem } from '../../http/problem'

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The token a request presents: `Authorization: Bearer`, or `?token=` for what a browser opens
 * itself (a page, an EventSource), which cannot send headers.
 */
export function presentedToken(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')
  return bearer?.[1] ?? c.req.query('token')
}

/**
 * Guards operator pages as /metrics is guarded: when METRICS_TOKEN is set, a request without it
 * gets 401. A static token, not a user JWT: monitoring has no account.
 *
 * @example
 * createRoute({ method: 'get', path: '/status', middleware: requireMetricsToken(), ... })
 */
export function requireMetricsToken(): MiddlewareHandler<AppEnv> {
  return async function requireMetricsToken(c, next) {
    const expected = c.var.deps.env.METRICS_TOKEN
    if (expected) {
      const given = presentedToken(c)
      if (!given || !sameToken(given, expected)) {
        throw new Problem(401, 'A valid metrics token is required.', {
          type: 'unauthorized',
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        })
      }
    }
    await next()
  }
}
