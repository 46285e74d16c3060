import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { compress } from 'hono/compress'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { ZodError } from 'zod'
import { bearerOf } from '../http/middleware/auth'
import { anonymousMaxBytes, bufferedBodyLimit, jsonMaxBytes } from '../http/middleware/body-limit'
import { jsonInOneWrite } from '../http/middleware/json-one-write'
import { knownLength } from '../http/middleware/known-length'
import { memoryGuard, memoryRetryAfter, shedProblem } from '../http/middleware/memory-guard'
import { observeRequests } from '../http/middleware/observe-requests'
import type { AppEnv, Deps } from './context'
import { isDatabaseOutage, isTransientConflict, sqlState } from '../db/errors'
import { isOutOfMemory } from './memory/out-of-memory'
import { allowedMethodsFinder } from '../http/method-not-allowed'
import {
  asProblem,
  contentionProblem,
  Problem,
  problemResponse,
  statusProblem,
  type FieldError,
} from '../http/problem'

/** Responses below this size are sent as they are: compressing them costs more than it saves. */
const COMPRESS_THRESHOLD_BYTES = 1024
/** JSON bodies above this go as a stream (json-one-write.ts): 16 KB of cork buffer less headers. */
const WHOLE_JSON_MAX_BYTES = 14 * 1024
/** Least time between two collections forced by out-of-memory errors. */
const OOM_GC_GAP_MS = 1000

/**
 * An error or not-found answer built as a bare Response would drop the headers set with
 * `c.header` before it; reading `c.res` first makes hono carry them over.
 */
function withContextHeaders(c: Context, res: Response): Response {
  void c.res
  c.res = res
  return c.res
}

export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path].filter((p) => p !== undefined && p !== '').join('.') || '(root)',
    message: issue.message,
  }))
}

/** Every router validates the same way: a 400 problem listing each bad field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === 'json' ? undefined : result.target
        throw new Problem(400, 'The request has invalid fields.', {
          type: 'validation-error',
          errors: fieldErrors(result.error, where),
        })
      }
    },
  })
}

/**
 * Builds the bare app shared by the server and the tests: request ids, logs, metrics, CORS,
 * security headers, compression, errors. The memory guard and the body limit come apart
 * (`admission`), so that build-app.ts can mount the health routes ahead of them.
 */
export function createApp(deps: Deps) {
  const app = createRouter()
  const allowedMethods = allowedMethodsFinder(app)
  const { env } = deps

  app.use(function withDeps(c, next) {
    c.set('deps', deps)
    return next()
  })
  app.use(jsonInOneWrite({ maxWholeBytes: WHOLE_JSON_MAX_BYTES }))
  // A caller's X-Request-Id is kept when it is short and plain; else a new UUID.
  app.use(requestId({ headerName: 'X-Request-Id' }))
  app.use(observeRequests(deps.logger, deps.metrics))
  app.use(
    cors({
      origin: [...env.CORS_ORIGINS],
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['Retry-After', 'Link', 'X-Request-Id', 'ETag', 'Content-Disposition'],
      maxAge: 600,
    }),
  )
  // The resource policy is opened so that the frontend's origin may load images and files.
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  app.use(compress({ threshold: COMPRESS_THRESHOLD_BYTES }))
  app.use(knownLength({ threshold: COMPRESS_THRESHOLD_BYTES }))

  app.notFound((c) => {
    const allow = allowedMethods(c.req.path)
    if (allow.length > 0) {
      return withContextHeaders(
        c,
        problemResponse(statusProblem(405, `${c.req.method} is not allowed on ${c.req.path}.`), {
          Allow: allow.join(', '),
        }),
      )
    }
    return withContextHeaders(
      c,
      problemResponse(statusProblem(404, `No route for ${c.req.method} ${c.req.path}.`)),
    )
  })

  app.onError((error, c) => withContextHeaders(c, renderError(deps, error, c)))

  return app
}

/**
 * What every route mounted after it passes first: the memory guard (when MEMORY_GUARD_ENABLED),
 * then the body limit, each by the policy its route declares (http/middleware/route-policy.ts).
 */
export function admission(deps: Deps): MiddlewareHandler<AppEnv>[] {
  const { env } = deps
  const guard = env.MEMORY_GUARD_ENABLED
    ? [memoryGuard({ monitor: deps.memory, maxInFlight: env.MAX_IN_FLIGHT })]
    : []
  const bodyLimit = bufferedBodyLimit({
    maxBytes: jsonMaxBytes(env),
    anonymousMaxBytes: anonymousMaxBytes(env),
    budget: deps.bodyBudget,
    isAuthenticated: async (c) => (await bearerOf(c)) !== undefined,
    onRefused: () => deps.memory.recordShed('body_budget'),
  })
  return [...guard, bodyLimit]
}

function renderError(deps: Deps, error: Error, c: Context<AppEnv>): Response {
  const problem = asProblem(error)
  if (problem) return problem.getResponse()
  if (isOutOfMemory(error)) {
    // The allocation failed, not the process: give the memory back and refuse this request.
    deps.memory.recordShed('out_of_memory')
    deps.memory.collect('out_of_memory', OOM_GC_GAP_MS)
    deps.logger.warn({ err: error, request_id: c.var.requestId }, 'out of memory in a request')
    return shedProblem('out_of_memory', memoryRetryAfter(deps.memory)).getResponse()
  }
  if (error instanceof HTTPException) {
    const res = error.res
    const headers: Record<string, string> = {}
    res?.headers.forEach((v, k) => {
      if (k !== 'content-type' && k !== 'content-length') headers[k] = v
    })
    const detail = error.message || 'Request refused.'
    return problemResponse(statusProblem(error.status, detail), headers)
  }
  if (isDatabaseOutage(error)) {
    deps.logger.warn({ err: error, request_id: c.var.requestId }, 'database unavailable')
    return problemResponse(
      statusProblem(503, 'The database is unavailable; try again shortly.'),
      { 'Retry-After': '5', 'Cache-Control': 'no-store' },
    )
  }
  // The transaction helper ran out of attempts, or a single statement lost a deadlock or lock wait.
  if (isTransientConflict(error)) return contentionProblem().getResponse()
  const state = sqlState(error)
  if (state === '23505' || state === '23P01' || state === '23503') {
    return problemResponse(
      statusProblem(409, 'The change conflicts with existing data.'),
    )
  }
  if (['22001', '22003', '22P02', '22007', '22008', '22021'].includes(state ?? '')) {
    return problemResponse(statusProblem(400, 'A value is out of range or malformed.'))
  }
  deps.logger.error({ err: error, request_id: c.var.requestId }, 'unhandled error')
  return problemResponse(statusProblem(500, 'An unexpected error occurred.'))
}
