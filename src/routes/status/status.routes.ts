import { z } from '@hono/zod-openapi'
import { createRoute } from '../../http/create-route'
import { problem } from '../../http/openapi-schemas'
import { HISTORY_CAPACITY, HISTORY_INTERVAL_MS } from '../../app/status-history'
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
  policy: { guard: 'health' },
  method: 'get',
  path: '/status',
  ...guard,
  summary: 'Live status page for operators',
  description:
    'A self-contained HTML page (no external assets): memory against its limit and thresholds ' +
    'and requests shed or failed (5xx) by reason, as charts of the last 5 minutes read from ' +
    '/status/history on open; guard state, request rate, latency, database pool and uptime, ' +
    `kept up to date from /status/stream. ${guardDescription}`,
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})

export const stream = createRoute({
  policy: { guard: 'health' },
  method: 'get',
  path: '/status/stream',
  ...guard,
  summary: 'The status figures as server-sent events',
  description:
    `A \`figures\` event every ${STREAM_INTERVAL_MS / 1000} s whose data is JSON: \`memory\` ` +
    '(the body of /api/health/memory), `requests` (`total`; `per_second` and `in_window` over ' +
    '`window_seconds`), ' +
    '`latency_ms` (`mean`, `p50`, `p95`, `p99` of the same requests), `memory_parts` (RSS split ' +
    'into the JS heap and the rest, and the limit into RSS and headroom), `errors_5xx`, ' +
    '`history` (the latest sample of /status/history), `database` (`kind`, `in_use`, `idle`, ' +
    `\`max\`), \`guard_enabled\` and \`at\`. ${guardDescription}`,
  responses: {
    200: {
      description: 'An endless event stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})

const Latency = z
  .object({ mean: z.number(), p50: z.number(), p95: z.number() })
  .nullable()
  .openapi({ description: 'Time to response headers in ms of the same requests; null if none' })

const HistorySample = z
  .object({
    at: z.number().int().openapi({ description: 'End of the interval, epoch milliseconds' }),
    rss_bytes: z.number().int(),
    heap_bytes: z.number().int().openapi({ description: 'JS heap blocks, a part of rss_bytes' }),
    limit_bytes: z.number().int(),
    usage_percent: z.number(),
    requests: z.number().int().openapi({ description: 'Requests answered in the interval' }),
    errors_5xx: z
      .number()
      .int()
      .openapi({ description: 'Answers 5xx in the interval, the shed 503s not included' }),
    shed: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Requests shed with 503 in the interval, by reason' }),
    latency_ms: Latency,
  })
  .openapi('StatusHistorySample')

export const history = createRoute({
  policy: { guard: 'health' },
  method: 'get',
  path: '/status/history',
  ...guard,
  summary: 'The last 5 minutes of the status figures',
  description:
    `One sample every ${HISTORY_INTERVAL_MS / 1000} s, the last ${HISTORY_CAPACITY} kept in ` +
    'process from start-up (a fixed ring; a restart empties it), oldest first: memory, and ' +
    'the requests, 5xx answers, sheds by reason and latency of each interval. The status page ' +
    `draws its charts from it when it opens. ${guardDescription}`,
  responses: {
    200: {
      description: 'The samples',
      content: {
        'application/json': {
          schema: z.object({
            interval_seconds: z.number(),
            capacity: z.number().int(),
            now: z.number().int().openapi({ description: "The server's clock, epoch ms" }),
            samples: z.array(HistorySample),
          }),
        },
      },
    },
    401: problem('METRICS_TOKEN is set and the request does not carry it'),
  },
})
