import type { MiddlewareHandler } from 'hono'

/**
 * Keeps the headers set before the route ran (by requestId and cors: X-Request-Id, the CORS
 * headers) on a 304. hono's etag answers a 304 with only the headers RFC 9110 15.4.5 asks for
 * (ETag, Vary, Cache-Control...) and drops the rest; a browser revalidating from another origin
 * must still be allowed to read the answer, and the log's request id must still match.
 *
 * @example
 * app.use(requestId(), cors({ origin }), notModifiedHeaders())
 */
export function notModifiedHeaders(): MiddlewareHandler {
  return async function notModifiedHeaders(c, next) {
    const before = [...c.res.headers]
    await next()
    if (c.res.status !== 304) return
    const headers = c.res.headers
    for (const [name, value] of before) if (!headers.has(name)) headers.set(name, value)
  }
}
