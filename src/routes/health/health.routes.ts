import { z } from '@hono/zod-openapi'
import { createRoute } from '../../http/create-route'
import { DateTimeString, json, problem } from '../../http/openapi-schemas'

// Operators' reads: answered ahead of the memory guard (guard class `health`).
const health = { policy: { guard: 'health' as const }, method: 'get' as const, tags: ['Health'] }

export const live = createRoute({
  ...health,
  path: '/api/health',
  summary: 'Liveness: the process answers',
  responses: {
    200: json(z.object({ status: z.literal('ok'), uptime_seconds: z.number() }), 'Alive'),
  },
})

export const ready = createRoute({
  ...health,
  path: '/api/health/ready',
  summary: 'Readiness: not shutting down, the database answers a ping, memory is not critical',
  responses: {
    200: json(
      z.object({ status: z.literal('ready'), database: z.enum(['postgres', 'pglite']) }),
      'Ready to serve',
    ),
    503: problem('Not ready: shutting down, memory is critical or the database does not answer'),
  },
})

const ShedByReason = z.object({
  memory_high: z.number().int(),
  memory_critical: z.number().int(),
  in_flight: z.number().int(),
  out_of_memory: z.number().int(),
  body_budget: z.number().int(),
})

export const MemorySchema = z
  .object({
    state: z.enum(['ok', 'high', 'critical']),
    rss_bytes: z.number().int(),
    heap_used_bytes: z.number().int(),
    heap_total_bytes: z.number().int(),
    external_bytes: z.number().int(),
    limit_bytes: z.number().int(),
    limit_source: z.enum(['env', 'cgroup', 'system']),
    usage_percent: z.number().openapi({ description: 'RSS over the limit, in percent' }),
    threshold_percent: z.number().int(),
    critical_percent: z.number().int(),
    shed_total: z.number().int(),
    shed_by_reason: ShedByReason,
    in_flight: z.number().int(),
    gc_runs: z.number().int(),
    last_gc_at: DateTimeString.nullable(),
    last_gc_ms: z.number().nullable(),
    uptime_seconds: z.number().int(),
    sampled_at: DateTimeString,
  })
  .openapi('MemoryStats')

export const memory = createRoute({
  ...health,
  path: '/api/health/memory',
  summary: 'Memory state, limit, shed counts and collections (answers even when critical)',
  responses: { 200: json(MemorySchema, 'The last memory sample and counters') },
})
