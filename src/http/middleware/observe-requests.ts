import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../app/context'
import type { Logger } from '../../app/logger'
import { routePattern, type Metrics } from '../../app/metrics'
import { policyOf } from './route-policy'

/**
 * Times every request once, to its response headers, and records it twice: in the metrics
 * (method, route pattern, status) and as one JSON access-log line (id, also the X-Request-Id
 * header, method, route pattern, path, status, duration). Probes (routes of guard class `health`,
 * route-policy.ts) log at debug, and requests shed
 * by the memory guard are counted but not logged one by one: under pressure, logging each would
 * add to the load. One middleware for both, so a request pays for one timing and one route lookup.
 *
 * @example
 * app.use(observeRequests(deps.logger, deps.metrics))
 */
export function observeRequests(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async function observeRequests(c, next) {
    const started = performance.now()
    await next()
    const seconds = (performance.now() - started) / 1000
    const route = routePattern(c)
    const { status } = c.res
    const shed = c.get('shed') !== undefined
    metrics.observeRequest(c.req.method, route, status, seconds, shed)
    if (shed) return
    const level = policyOf(c).guard === 'health' ? 'debug' : 'info'
    if (!logger.isLevelEnabled(level)) return
    const path = c.req.path
    logger[level](
      {
        request_id: c.get('requestId'),
        method: c.req.method,
        route,
        path,
        status,
        duration_ms: Math.round(seconds * 100_000) / 100,
      },
      'request',
    )
  }
}
