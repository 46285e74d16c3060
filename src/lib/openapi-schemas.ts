import { z } from '@hono/zod-openapi'

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

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

export const notModified = { 304: { description: 'Not modified (matches If-None-Match)' } }
