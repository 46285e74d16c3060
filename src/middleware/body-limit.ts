import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Env } from '../env'
import type { AppEnv } from '../lib/context'
import { Problem, badRequest } from '../lib/problem'

const MB = 1024 * 1024

const tooLarge = (maxBytes: number) =>
  new Problem(413, `The request body is larger than ${formatBytes(maxBytes)}.`, {
    type: 'payload-too-large',
    extensions: { max_bytes: maxBytes },
  })

const longerThanDeclared = (declared: number) =>
  new Problem(413, `The request body is longer than its Content-Length (${declared} bytes).`, {
    type: 'payload-too-large',
  })

const formatBytes = (n: number) => (n % MB === 0 ? `${n / MB} MB` : `${n} bytes`)

/**
 * The declared length, `undefined` without one. Anything but one run of digits (a sign, a
 * fraction, two different values) is refused: parseInt would read "10abc" as 10.
 */
function declaredLength(headers: Headers): number | undefined {
  const raw = headers.get('content-length')
  if (raw === null) return undefined
  const value = raw.trim()
  if (!/^\d{1,15}$/.test(value)) {
    throw badRequest('The Content-Length header is malformed.', [
      { path: 'header.content-length', message: 'must be one non-negative integer' },
    ])
  }
  return Number(value)
}

interface Sized {
  declared: number | undefined
  chunked: boolean
}

/** Checks the headers before a byte is read: malformed -> 400, declared oversize -> 413. */
function checkHeaders(headers: Headers, maxBytes: number): Sized {
  const chunked = headers.has('transfer-encoding')
  const declared = declaredLength(headers)
  if (!chunked && declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes)
  return { declared: chunked ? undefined : declared, chunked }
}

export interface BodyLimitOptions {
  maxBytes: number
  /** Requests this limit leaves to another (uploads apply their own, larger one). */
  skip?: (path: string) => boolean
}

/**
 * Refuses a body over `maxBytes` while it is read, never holding more than that: a declared
 * oversize Content-Length and a chunked body that grows past the limit get 413 (hono's
 * bodyLimit), a malformed Content-Length 400. hono trusts a declared length and does not count
 * the bytes; here they are counted against the declared length too, so a body longer than its
 * header is a 413 as well. The body is buffered for the route (it is parsed whole anyway).
 *
 * @example
 * app.use(bufferedBodyLimit({ maxBytes: 15 * 1024 * 1024, skip: isUploadPath }))
 */
export function bufferedBodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxBytes, skip } = options
  const onError = (): never => {
    throw tooLarge(maxBytes)
  }
  const counted = bodyLimit({ maxSize: maxBytes, onError })
  return async function bufferedBodyLimit(c, next) {
    if (!c.req.raw.body || skip?.(c.req.path)) return next()
    const { declared } = checkHeaders(c.req.raw.headers, maxBytes)
    if (declared === undefined) return counted(c, next)
    // Without the header hono reads and counts; the cap is the declared length.
    const headers = new Headers(c.req.raw.headers)
    headers.delete('content-length')
    c.req.raw = new Request(c.req.raw, { headers })
    return bodyLimit({
      maxSize: declared,
      onError: () => {
        throw longerThanDeclared(declared)
      },
    })(c, next)
  }
}

/**
 * Counts the body as the route streams it, without buffering: reading past `maxBytes` (or past a
 * declared length) fails that read with a 413 Problem, which reaches the app's onError as long as
 * the route lets it propagate.
 *
 * @example
 * createRoute({
 *   method: 'post',
 *   path: '/api/uploads',
 *   middleware: [requireUser(), uploadBodyLimit()],
 * })
 */
export function streamedBodyLimit(
  maxBytes: number | ((env: Env) => number),
): MiddlewareHandler<AppEnv> {
  return async function streamedBodyLimit(c, next) {
    const body = c.req.raw.body
    if (!body) return next()
    const max = typeof maxBytes === 'number' ? maxBytes : maxBytes(c.var.deps.env)
    const { declared } = checkHeaders(c.req.raw.headers, max)
    let seen = 0
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > max) controller.error(tooLarge(max))
        else if (declared !== undefined && seen > declared) {
          controller.error(longerThanDeclared(declared))
        } else controller.enqueue(chunk)
      },
    })
    const init = { body: body.pipeThrough(counter), duplex: 'half' }
    c.req.raw = new Request(c.req.raw, init as RequestInit)
    return next()
  }
}

/** Multipart framing per part (boundary, part headers) is small; this is generous. */
const PART_OVERHEAD_BYTES = 16 * 1024

/** The most an upload request may carry: every file at its largest, plus multipart framing. */
export const uploadMaxBytes = (env: Pick<Env, 'UPLOAD_MAX_FILES' | 'UPLOAD_MAX_FILE_MB'>) =>
  env.UPLOAD_MAX_FILES * (env.UPLOAD_MAX_FILE_MB * MB + PART_OVERHEAD_BYTES) + PART_OVERHEAD_BYTES

/** The uploads route's own limit (the app-wide JSON limit skips /api/uploads). */
export const uploadBodyLimit = () => streamedBodyLimit(uploadMaxBytes)

export const jsonMaxBytes = (env: Pick<Env, 'MAX_BODY_SIZE_MB'>) => env.MAX_BODY_SIZE_MB * MB

export const isUploadPath = (path: string) =>
  path === '/api/uploads' || path.startsWith('/api/uploads/')
