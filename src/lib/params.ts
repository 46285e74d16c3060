import { z } from '@hono/zod-openapi'

/** A bigint id in a path or query: digits only, within JS's safe integers. */
export const IdParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ param: { name: 'id', in: 'path' }, example: 1 })

export const IdParams = z.object({ id: IdParam })

export const optionalId = (name: string) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .openapi({ param: { name, in: 'query' } })

/** An RFC 3339 instant that must carry an offset; naive local times are ambiguous. */
export const Instant = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 date-time with an offset, e.g. 2030-01-01T10:00:00Z' })
  .transform((v) => new Date(v))
  .openapi({ type: 'string', format: 'date-time', example: '2030-01-01T10:00:00Z' })
