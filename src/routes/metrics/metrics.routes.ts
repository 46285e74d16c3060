import { z } from '@hono/zod-openapi'
import { createRoute } from '../../http/create-route'
import { problem } from '../../http/openapi-schemas'

export const scrape = createRoute({
  policy: { guard: 'health' },
  method: 'get',
  path: '/metrics',
  tags: ['Health'],
  summary: 'Prometheus metrics',
  description:
    'When METRICS_TOKEN is set, the request needs `Authorization: Bearer <METRICS_TOKEN>` ' +
    '(a static token, not a user JWT). Never shed by the memory guard.',
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: { 'text/plain': { schema: z.string() } },
    },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})
