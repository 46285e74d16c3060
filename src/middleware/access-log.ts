import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../lib/context'
import { routePattern } from '../lib/metrics'
import type { Logger } from '../lib/logger'
import { HEALTH_PATHS } from './memory-guard'

/**
 * One JSON line per request: id (also the X-Request-Id header), method, route pattern, path,
 * status and duration. Probes log at debug, and requests shed by the memory guard are not logged
 * one by one (they are counted): under pressure, logging each would add to the load.
 *
 * @example
 * app.use(accessLog(deps.logger))
 */
export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = performance.now()
    await next()
    if (c.var.shed) return
    const level = HEALTH_PATHS.has(c.req.path) ? 'debug' : 'info'
    if (!logger.isLevelEnabled(level)) return
    logger[level](
      {
        request_id: c.var.requestId,
        method: c.req.method,
        route: routePattern(c),
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
      },
      'request',
    )
  }
}
