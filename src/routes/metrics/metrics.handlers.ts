import { timingSafeEqual } from 'node:crypto'
import type { AppRouteHandler } from '../../app/context'
import { Problem } from '../../http/problem'
import type { scrape } from './metrics.routes'

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export const getMetrics: AppRouteHandler<typeof scrape> = async (c) => {
  const { env, metrics } = c.var.deps
  if (env.METRICS_TOKEN) {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')
    if (!match || !sameToken(match[1]!, env.METRICS_TOKEN)) {
      throw new Problem(401, 'A valid metrics token is required.', {
        type: 'unauthorized',
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      })
    }
  }
  const text = await metrics.registry.metrics()
  return c.text(text, 200, {
    'Content-Type': metrics.registry.contentType,
    'Cache-Control': 'no-store',
  })
}
