import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Env } from '../env'
import type { AppEnv } from '../lib/context'
import { Problem, badRequest } from '../lib/problem'

const MB = 1024 * 1024

const formatBytes = (n: number) => {
  if (n % MB === 0) return `${n / MB} MB`
  return n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${n} bytes`
}

const tooLarge = (maxBytes: number) =>
  new Problem(413, `The request body is larger than ${formatBytes(maxBytes)}.`, {
    type: 'payload-too-large',
    extensions: { max_bytes: maxBytes },
  })

const longerThanDeclared = (declared: number) =>
  new Problem(413, `The request body is longer than its Content-Length (${declared} bytes).`, {
    type: 'payload-too-large',
  })

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

/**
 * Checks the headers before a byte is read: malformed -> 400, declared oversize -> 413. Returns
 * the declared length the body must not outgrow (none for a chunked body).
 */
function checkHeaders(headers: Headers, maxBytes: number): number | undefined {
  const chunked = headers.has('transfer-encoding')
  const declared = declaredLength(headers)
  if (!chunked && declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes)
  return chunked ? undefined : declared
}

/**
 * The same rule for a body its route streams instead of buffering (uploads): the headers are
 * checked at once, then the returned function is given the size of each chunk as it is read and
 * throws the 413 Problem when the body passes `maxBytes` or its declared length.
 *
 * @example
 * const count = countBody(request.headers, limits.maxRequestBytes)
 * for await (const chunk of request.body) count(chunk.byteLength)
 */
export function countBody(headers: Headers, maxBytes: number): (chunkBytes: number) => void {
  const declared = checkHeaders(headers, maxBytes)
  let seen = 0
  return function count(chunkBytes) {
    seen += chunkBytes
    if (seen > maxBytes) throw tooLarge(maxBytes)
    if (declared !== undefined && seen > declared) throw longerThanDeclared(declared)
  }
}

export interface BodyLimitOptions {
  maxBytes: number
  /** Requests this limit leaves to another (uploads count theirs with `countBody`). */
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
 * app.use(bufferedBodyLimit({ maxBytes: jsonMaxBytes(env), skip: isUploadPath }))
 */
export function bufferedBodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxBytes, skip } = options
  const onError = (): never => {
    throw tooLarge(maxBytes)
  }
  const counted = bodyLimit({ maxSize: maxBytes, onError })
  return async function bufferedBodyLimit(c, next) {
    if (!c.req.raw.body || skip?.(c.req.path)) return next()
    const declared = checkHeaders(c.req.raw.headers, maxBytes)
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

/** The largest body of every route but uploads (whose limit is in lib/uploads/limits.ts). */
export const jsonMaxBytes = (env: Pick<Env, 'MAX_BODY_SIZE_MB'>) => env.MAX_BODY_SIZE_MB * MB

export const isUploadPath = (path: string) =>
  path === '/api/uploads' || path.startsWith('/api/uploads/')
