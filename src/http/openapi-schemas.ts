import { z } from '@hono/zod-openapi'
import type { ShedReason } from '../app/memory/monitor'

/** Instants leave the API as RFC 3339 strings in UTC. */
export const DateTimeString = z
  .string()
  .openapi({ format: 'date-time', example: '2030-01-01T09:00:00.000Z' })

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

const Occupancy = z.object({
  source: z.enum(['booking', 'program_session']),
  start_datetime: z.string(),
  end_datetime: z.string(),
  booking_id: z.number().int().optional().openapi({ description: "Only for the caller's own" }),
  program_id: z.number().int().optional(),
})

/** A 409's extra fields: what the request collides with, by the kind of conflict. */
export const ConflictProblemSchema = ProblemSchema.extend({
  conflict: Occupancy.optional().openapi({ description: 'What holds the slot' }),
  conflicts: z.array(Occupancy).optional(),
  items: z
    .array(z.object({ item_id: z.number().int(), requested: z.number(), available: z.number() }))
    .optional()
    .openapi({ description: 'The items with too little stock left' }),
  item_id: z.number().int().optional(),
  requested: z.number().optional(),
  available: z.number().optional(),
  capacity: z.number().int().optional(),
  current_status: z.string().optional(),
  allowed: z.array(z.string()).optional(),
}).openapi('ConflictProblem')

/** A 422's extra fields: the broken booking rule, or `errors` naming each refused field. */
export const UnprocessableProblemSchema = ProblemSchema.extend({
  rule: z.string().optional().openapi({ description: 'The venue booking rule broken' }),
}).openapi('UnprocessableProblem')

export const TooLargeProblemSchema = ProblemSchema.extend({
  max_bytes: z.number().int().optional(),
}).openapi('TooLargeProblem')

/** A 503's extra field: why the request was shed (none when the database is down). */
export const UnavailableProblemSchema = ProblemSchema.extend({
  reason: z
    .enum([
      'memory_high',
      'memory_critical',
      'in_flight',
      'out_of_memory',
      'body_budget',
    ] as const satisfies readonly ShedReason[])
    .optional(),
}).openapi('UnavailableProblem')

/** A response entry for an RFC 9457 error. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** The errors every route guarded by a token can answer. */
export const userErrors = {
  401: problem('Missing, invalid or expired token'),
}

export const adminErrors = {
  401: problem('Missing, invalid or expired token'),
  403: problem('The caller is not an administrator'),
}

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer' as const, minimum: 1 },
  },
}

/** A refusal the client should retry after `Retry-After` seconds (429, 503), with an example. */
export const retryProblem = (description: string, example: Record<string, unknown>) => ({
  description,
  headers: retryAfter,
  content: { 'application/problem+json': { schema: ProblemSchema, example } },
})

/**
 * The memory guard's refusal, which any route but the health probes can answer (src/http/middleware/
 * memory-guard.ts); src/routes/docs/openapi-document.ts adds it where a route declares no 503.
 */
export const shedResponse = retryProblem(
  'Shed: the server is low on memory or at MAX_IN_FLIGHT; retry after Retry-After seconds',
  {
    type: 'urn:problem:overloaded',
    title: 'Service Unavailable',
    status: 503,
    detail: 'The server is low on memory and is refusing heavy requests; try again shortly.',
    reason: 'memory_high',
  },
)

/** The optional header that makes a create safe to retry (src/http/idempotency.ts). */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({
      description:
        'Makes the request safe to retry: 1 to 255 visible ASCII characters, unique per attempt ' +
        '(a UUID). A repeat with the same body replays the first answer; another body is 422.',
      example: '3f0c9a5e-8d1b-4c52-9a7e-2b61f0d4c8aa',
    }),
})

export const notModified = { 304: { description: 'Not modified (matches If-None-Match)' } }
