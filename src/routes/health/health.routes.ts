import { createRoute, z } from '@hono/zod-openapi'
import { json, problem } from '../../lib/openapi-schemas'

const tags = ['Health']

export const live = createRoute({
  method: 'get',
  path: '/api/health',
  tags,
  summary: 'Liveness: the process answers',
  responses: {
    200: json(z.object({ status: z.literal('ok'), uptime_seconds: z.number() }), 'Alive'),
  },
})

export const ready = createRoute({
  method: 'get',
  path: '/api/health/ready',
  tags,
  summary: 'Readiness: the database answers a ping',
  responses: {
    200: json(
      z.object({ status: z.literal('ready'), database: z.enum(['postgres', 'pglite']) }),
      'Ready to serve',
    ),
    503: problem('Not ready: the database does not answer'),
  },
})
