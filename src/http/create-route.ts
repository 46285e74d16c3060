import { createRoute as createOpenApiRoute, type RouteConfig, type z } from '@hono/zod-openapi'
import { policyMarker, type RoutePolicy } from './middleware/route-policy'
import {
  ConflictProblemSchema,
  IdempotencyHeaders,
  ProblemSchema,
  TooLargeProblemSchema,
  UnavailableProblemSchema,
  UnprocessableProblemSchema,
  shedResponse,
} from './openapi-schemas'

/** The body of a problem by its status, where it carries fields of its own. */
const problemSchemas = {
  409: ConflictProblemSchema,
  413: TooLargeProblemSchema,
  422: UnprocessableProblemSchema,
  503: UnavailableProblemSchema,
}
type ProblemSchemas = typeof problemSchemas

interface ProblemEntry<S extends z.ZodType> {
  description: string
  content: { 'application/problem+json': { schema: S } }
}
type Standard<Status extends number> = ProblemEntry<
  Status extends keyof ProblemSchemas ? ProblemSchemas[Status] : typeof ProblemSchema
>

const schemaOf = (status: number) =>
  problemSchemas[status as keyof ProblemSchemas] ?? ProblemSchema

/**
 * A declared problem with the body of its status, keeping its description and example; a 429 or
 * 503 outside the health routes also says when to come back (`Retry-After`, set by every
 * refusal of theirs).
 */
function typedProblem(status: number, declared: object, health: boolean): object {
  const content = 'content' in declared ? (declared.content as Record<string, object>) : undefined
  const media = content?.['application/problem+json']
  if (!media) return declared
  const typed: Record<string, unknown> = { ...declared }
  if (status in problemSchemas) {
    const schema = schemaOf(status)
    typed.content = { ...content, 'application/problem+json': { ...media, schema } }
  }
  if ((status === 429 || status === 503) && !health) {
    typed.headers = { ...shedResponse.headers, ...(typed.headers as object | undefined) }
  }
  return typed
}

type Request = NonNullable<RouteConfig['request']>
type Has<T, K extends PropertyKey> = T extends { [P in K]: {} } ? true : false
type HasParameters<R extends RouteConfig> =
  | Has<R['request'], 'query'>
  | Has<R['request'], 'params'>
  | Has<R['request'], 'headers'>

/** The statuses a route can answer whatever its handler does, from its own definition. */
type StandardStatuses<R extends RouteConfig> =
  | (Has<R['request'], 'body'> extends true ? 400 | 413 | 415 : never)
  | (HasParameters<R> extends false ? never : 400)
  | (R['security'] extends readonly never[] ? never : R['security'] extends unknown[] ? 401 : never)
  | (R['path'] extends `/api/admin${string}` ? 403 : never)
  | (R['path'] extends `${string}{${string}` ? 404 : never)
  | (R['request'] extends { headers: typeof IdempotencyHeaders } ? 409 | 422 : never)
  | (R extends { policy: { guard: 'health' } } ? never : 503)

/** A route's own responses, over the standard problems; each problem typed by its status. */
type WithProblems<R extends RouteConfig> = Omit<R, 'responses'> & {
  responses: { [S in Exclude<StandardStatuses<R>, keyof R['responses']>]: Standard<S> } & {
    [S in keyof R['responses']]: S extends keyof ProblemSchemas
      ? R['responses'][S] extends { content: { 'application/problem+json': unknown } }
        ? Omit<R['responses'][S], 'content'> & Standard<S>
        : R['responses'][S]
      : R['responses'][S]
  }
}

function standardStatuses(config: RouteConfig): Record<number, string> {
  const { request = {} as Request, security, path } = config
  const statuses: Record<number, string> = {}
  if (request.body) {
    statuses[400] = 'Invalid fields; `errors` names each'
    statuses[413] = 'The body is larger than the limit (`max_bytes`)'
    statuses[415] = 'The body is compressed (Content-Encoding) or of a type the route does not take'
  }
  if (request.query || request.params || request.headers) {
    statuses[400] ??= 'Invalid parameters; `errors` names each'
  }
  if (security && security.length > 0) statuses[401] = 'Missing, invalid or expired token'
  if (path.startsWith('/api/admin')) statuses[403] = 'The caller is not an administrator'
  if (path.includes('{')) statuses[404] = 'No such resource, or not the caller’s'
  if (request.headers === IdempotencyHeaders) {
    statuses[409] = 'A request with this Idempotency-Key is still running'
    statuses[422] = 'This Idempotency-Key was used with another body'
  }
  return statuses
}

/**
 * `createRoute` that also declares the problems every route can answer because of what it is:
 * a body (400, 413, 415), parameters (400), a token (401), an admin path (403), an id in the path
 * (404), an `Idempotency-Key` (409, 422) and the memory guard in front of all but the routes of
 * guard class `health` (503 with `Retry-After`). `policy` declares the route's guard class, body
 * limit and in-flight pool (src/http/middleware/route-policy.ts). A route names only the problems
 * of its own; every problem of a status whose body has extra fields (409 `conflict`, 413
 * `max_bytes`, 422 `rule`, 503 `reason`) is typed with them, so the OpenAPI document and the
 * typed client tell the truth without each route repeating it.
 */
export function createRoute<
  P extends string,
  R extends Omit<RouteConfig, 'path'> & { path: P; policy?: RoutePolicy },
>(config: R) {
  const { policy, ...route } = config
  const health = policy?.guard === 'health'
  const responses: Record<string, object> = {}
  for (const [status, description] of Object.entries(standardStatuses(route))) {
    const content = { 'application/problem+json': { schema: schemaOf(Number(status)) } }
    responses[status] = { description, content }
  }
  if (!health) responses[503] = typedProblem(503, shedResponse, health)
  for (const [status, declared] of Object.entries(route.responses)) {
    responses[status] = typedProblem(Number(status), declared, health)
  }
  // The policy rides on the route as a marker middleware, where the app-wide middleware finds it.
  const own = route.middleware === undefined ? [] : [route.middleware].flat()
  const middleware = policy ? [policyMarker(policy), ...own] : route.middleware
  return createOpenApiRoute({ ...route, middleware, responses } as unknown as WithProblems<R>)
}
