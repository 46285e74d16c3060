import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ServiceError, type FailureKind, type FieldError } from '../services/errors'

export type { FieldError }

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  errors?: FieldError[]
  [extension: string]: unknown
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

interface ProblemOptions {
  /** A short slug naming the kind of problem; becomes the `type` URI. */
  type?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  extensions?: Record<string, unknown>
  cause?: unknown
}

/**
 * An RFC 9457 problem. Thrown anywhere below a route and rendered once by the app's `onError`,
 * so every error a client sees has the same shape.
 */
export class Problem extends HTTPException {
  readonly body: ProblemBody
  readonly headers: Record<string, string>

  constructor(status: ContentfulStatusCode, detail: string, options: ProblemOptions = {}) {
    super(status, { message: detail, cause: options.cause })
    this.headers = options.headers ?? {}
    this.body = {
      type: options.type ? `urn:problem:${options.type}` : 'about:blank',
      title: titles[status] ?? 'Error',
      status,
      detail,
      ...(options.errors ? { errors: options.errors } : {}),
      ...options.extensions,
    }
  }

  override getResponse(): Response {
    return problemResponse(this.body, this.headers)
  }
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  })
}

/** Renders a bare status as a problem, for errors that carry no more than their status. */
export function statusProblem(status: ContentfulStatusCode, detail: string): ProblemBody {
  return { type: 'about:blank', title: titles[status] ?? 'Error', status, detail }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new Problem(400, detail, { type: errors ? 'validation-error' : 'bad-request', errors })
export const notFound = (what = 'resource') => new Problem(404, `${what} not found`, { type: 'not-found' })
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new Problem(409, detail, { type: 'conflict', extensions })

const statusOfFailure: Record<FailureKind, ContentfulStatusCode> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unprocessable: 422,
  busy: 503,
}

/** A service's refusal as the problem a client sees: the one place a failure kind gets a status. */
export function problemOf(error: ServiceError): Problem {
  const { type, errors, extensions, retryAfterSeconds, cause } = error.options
  const headers: Record<string, string> =
    retryAfterSeconds === undefined
      ? {}
      : { 'Retry-After': String(retryAfterSeconds), 'Cache-Control': 'no-store' }
  return new Problem(statusOfFailure[error.kind], error.message, {
    type,
    errors,
    extensions,
    headers,
    cause: cause ?? error,
  })
}

/** Anything thrown below a route that a client should see as a problem, or undefined. */
export function asProblem(error: unknown): Problem | undefined {
  if (error instanceof Problem) return error
  if (error instanceof ServiceError) return problemOf(error)
  return undefined
}

/** What a client sees when the database kept refusing a change for contention: try again. */
export const contentionProblem = (cause?: unknown) =>
  new Problem(503, 'The change collided with concurrent changes; try again.', {
    type: 'contention',
    headers: { 'Retry-After': '1', 'Cache-Control': 'no-store' },
    cause,
  })
