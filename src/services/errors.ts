/**
 * What a service refuses, named for the domain rather than for HTTP: services know nothing of
 * status codes, and `src/http/problem.ts` turns each kind into its status once.
 */
export type FailureKind =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'unprocessable'
  | 'busy'

export interface FieldError {
  path: string
  message: string
}

export interface FailureOptions {
  /** A short slug naming the kind of problem; becomes the `type` URI. */
  type?: string
  errors?: FieldError[]
  extensions?: Record<string, unknown>
  /** Seconds after which the same request may succeed (`busy`, an in-progress duplicate). */
  retryAfterSeconds?: number
  cause?: unknown
}

export class ServiceError extends Error {
  constructor(
    readonly kind: FailureKind,
    detail: string,
    readonly options: FailureOptions = {},
  ) {
    super(detail, { cause: options.cause })
  }
}

export const invalid = (detail: string, errors?: FieldError[]) =>
  new ServiceError('invalid', detail, { type: errors ? 'validation-error' : 'bad-request', errors })
export const notFound = (what = 'resource') =>
  new ServiceError('not_found', `${what} not found`, { type: 'not-found' })
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new ServiceError('conflict', detail, { type: 'conflict', extensions })
