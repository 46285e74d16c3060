import { z } from '@hono/zod-openapi'

/**
 * A whole number written in plain digits, as it appears in a path or query string. Coercion
 * would also take `0x1`, `1.0`, `+1` or `1e3` and quietly act on another spelling of an id.
 */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number in plain digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

/** A bigint id in a path or query: digits only, within JS's safe integers. */
export const IdParam = wholeNumber(1, Number.MAX_SAFE_INTEGER).openapi({
  param: { name: 'id', in: 'path' },
  type: 'string',
  pattern: '^[0-9]+$',
  example: '1',
})

export const IdParams = z.object({ id: IdParam })

export const optionalId = (name: string) =>
  wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .optional()
    .openapi({ param: { name, in: 'query' }, type: 'string', pattern: '^[0-9]+$' })

/** An RFC 3339 instant that must carry an offset; naive local times are ambiguous. */
export const Instant = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 date-time with an offset, e.g. 2030-01-01T10:00:00Z' })
  .transform((v) => new Date(v))
  .openapi({ type: 'string', format: 'date-time', example: '2030-01-01T10:00:00Z' })
