import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../lib/context'
import { routePattern, type Metrics } from '../lib/metrics'

/**
 * Counts every request and times it to its response headers, labelled by method, route pattern
 * and status.
 *
 * @example
 * app.use(requestMetrics(deps.metrics))
 */
export function requestMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async function requestMetrics(c, next) {
    const started = performance.now()
    await next()
    metrics.observeRequest(
      c.req.method,
      routePattern(c),
      c.res.status,
      (performance.now() - started) / 1000,
    )
  }
}
