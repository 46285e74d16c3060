import { OpenAPIHono } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { cors } from 'hono/cors'
import type { ZodError } from 'zod'
import type { AppEnv, Deps } from './context'
import { isDatabaseOutage, sqlState } from './db-errors'
import { allowedMethodsFinder } from './method-not-allowed'
import { Problem, problemResponse, statusProblem, type FieldError } from './problem'

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

/** Builds the bare app shared by the server and the tests: ids, headers, CORS, errors. */
export function createApp(deps: Deps) {
  const app = createRouter()
  const allowedMethods = allowedMethodsFinder(app)

  app.use(requestId({ headerName: 'X-Request-Id' }))
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  app.use(
    cors({
      origin: deps.env.CORS_ORIGINS,
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['Retry-After', 'Link', 'X-Request-Id', 'ETag', 'Content-Disposition'],
      maxAge: 600,
    }),
  )
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))

  app.notFound((c) => {
    const allow = allowedMethods(c.req.path)
    if (allow.length > 0) {
      return problemResponse(
        statusProblem(405, `${c.req.method} is not allowed on ${c.req.path}.`),
        { Allow: allow.join(', ') },
      )
    }
    return problemResponse(statusProblem(404, `No route for ${c.req.method} ${c.req.path}.`))
  })

  app.onError((error, c) => {
    if (error instanceof Problem) return error.getResponse()
    if (error instanceof HTTPException) {
      const res = error.res
      const headers: Record<string, string> = {}
      res?.headers.forEach((v, k) => {
        if (k !== 'content-type' && k !== 'content-length') headers[k] = v
      })
      return problemResponse(statusProblem(error.status, error.message || 'Request refused.'), headers)
    }
    if (isDatabaseOutage(error)) {
      deps.logger.warn({ err: error, request_id: c.var.requestId }, 'database unavailable')
      return problemResponse(
        statusProblem(503, 'The database is unavailable; try again shortly.'),
        { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      )
    }
    const state = sqlState(error)
    if (state === '23505' || state === '23P01' || state === '23503') {
      return problemResponse(
        statusProblem(409, 'The change conflicts with existing data.'),
      )
    }
    if (state === '22003' || state === '22P02' || state === '22007' || state === '22008') {
      return problemResponse(statusProblem(400, 'A value is out of range or malformed.'))
    }
    deps.logger.error({ err: error, request_id: c.var.requestId }, 'unhandled error')
    return problemResponse(statusProblem(500, 'An unexpected error occurred.'))
  })

  return app
}
