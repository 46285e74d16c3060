import { z } from '@hono/zod-openapi'
import { createRoute } from '../../lib/create-route'
import { problem } from '../../lib/openapi-schemas'
import { requireMetricsToken } from './operator-token'

const tags = ['Health']

/** How often the stream sends the figures. */
export const STREAM_INTERVAL_MS = 1000

const TokenQuery = z.object({
  token: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'METRICS_TOKEN, for a browser, which cannot send the header' }),
})

const guard = {
  tags,
  middleware: requireMetricsToken(),
  request: { query: TokenQuery },
}

const guardDescription =
  'When METRICS_TOKEN is set, the request needs it as `Authorization: Bearer <METRICS_TOKEN>` or ' +
  '`?token=<METRICS_TOKEN>` (a static token, not a user JWT).'

export const page = createRoute({
  method: 'get',
  path: '/status',
  ...guard,
  summary: 'Live status page for operators',
  description:
    'A self-contained HTML page (no external assets): memory against its limit and thresholds ' +
    'as a chart of the last minutes, guard state, shed counts, request rate, latency, database ' +
    `pool and uptime, kept up to date from /status/stream. ${guardDescription}`,
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})

export const stream = createRoute({
  method: 'get',
  path: '/status/stream',
  ...guard,
  summary: 'The status figures as server-sent events',
  description:
    `A \`figures\` event every ${STREAM_INTERVAL_MS / 1000} s whose data is JSON: \`memory\` ` +
    '(the body of /api/health/memory), `requests` (`total`, `per_second` over `window_seconds`), ' +
    '`latency_ms` (`mean`, `p50`, `p95` over the same window), `database` (`kind`, `in_use`, ' +
    `\`idle\`, \`max\`), \`guard_enabled\` and \`at\`. ${guardDescription}`,
  responses: {
    200: {
      description: 'An endless event stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})
