import type { Context, MiddlewareHandler } from 'hono'
import type { Env } from '../../env'
import type { AppEnv } from '../../app/context'
import { JSON_SHAPE_LIMITS, jsonShapeViolation } from '../json-shape'
import type { BodyBudget } from '../../app/memory/body-budget'
import { Problem, badRequest } from '../problem'
import { shedProblem } from './memory-guard'
import { policyOf } from './route-policy'

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
  /** The largest body of a request with a valid bearer token. */
  maxBytes: number
  /** The largest body of a request without one, and of a route whose policy says `anonymous`. */
  anonymousMaxBytes: number
  /** Bytes of bodies held at once across all requests; past it, 503 before reading. */
  budget: BodyBudget
  /** Tells a request with a valid bearer token from anything else, without refusing either. */
  isAuthenticated: (c: Context<AppEnv>) => Promise<boolean>
  /** Counts a refusal for want of budget (the guard's shed counters). */
  onRefused?: () => void
}

/**
 * Neither Bun nor the service decodes a request's Content-Encoding: a compressed body would reach
 * a parser as opaque bytes, and decoding it would let a small body become a large one.
 */
function refuseEncoded(headers: Headers) {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase()
  if (!encoding || encoding === 'identity') return
  // RFC 7694: 415 with the codings the server does accept.
  throw new Problem(415, 'Request bodies must not be compressed (Content-Encoding).', {
    type: 'unsupported-content-encoding',
    headers: { 'Accept-Encoding': 'identity' },
  })
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

const shapeProblems = {
  depth: `The JSON body nests deeper than ${JSON_SHAPE_LIMITS.maxDepth} levels.`,
  values: `The JSON body holds more than ${JSON_SHAPE_LIMITS.maxValues} values.`,
}

/**
 * Reads a body whole, reserving each byte from the budget before it is held: a declared length
 * at once (so a refusal comes before anything is read), a chunked body chunk by chunk.
 *
 * A declared length is read by the runtime in one call rather than through a stream reader: the
 * server frames the body by its Content-Length (bytes past it are never this request's body, a
 * test holds that), so the read is bounded by what was reserved; a reader's promise per chunk cost
 * a third of a booking POST's CPU without the JIT (`bun run bench`, 128 MB). A longer body can
 * only come from a Request built in process, and is refused all the same.
 */
async function readBody(
  request: Request,
  maxBytes: number,
  declared: number | undefined,
  reserve: (bytes: number) => void,
): Promise<Uint8Array> {
  if (declared !== undefined) {
    reserve(declared)
    const whole = await request.bytes()
    if (whole.byteLength > declared) throw longerThanDeclared(declared)
    return whole
  }
  const reader = request.body!.getReader()
  try {
    const chunks: Uint8Array[] = []
    let seen = 0
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      seen += r.value.byteLength
      if (seen > maxBytes) throw tooLarge(maxBytes)
      reserve(r.value.byteLength)
      chunks.push(r.value)
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  } catch (error) {
    // Stop the transfer: the rest of a refused body is never read.
    reader.cancel().catch(() => {})
    throw error
  }
}

/**
 * Hands the body to the routes through hono's body cache: JSON as its text, once its shape has
 * been checked on the bytes (lib/json-shape.ts), anything else as its bytes.
 */
function cacheBody(c: Context<AppEnv>, bytes: Uint8Array) {
  // hono keeps the promises its readers return there, whatever the declared type says.
  const cache = c.req.bodyCache as Record<string, Promise<unknown>>
  const type = c.req.header('content-type') ?? ''
  if (JSON_MEDIA_TYPE.test(type)) {
    const violation = jsonShapeViolation(bytes)
    if (violation) throw badRequest(shapeProblems[violation])
    cache.text = Promise.resolve(new TextDecoder().decode(bytes))
  } else {
    cache.arrayBuffer = Promise.resolve(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    )
  }
}

/**
 * The one place request bodies are read, but for routes whose policy (route-policy.ts) says
 * `stream`: uploads stream to disk and count theirs with `countBody`. Before a byte is read: a
 * compressed body is 415, a malformed Content-Length 400, a declared length over the request's
 * limit 413, and a body the budget cannot hold 503 + Retry-After. The limit is
 * `anonymousMaxBytes` without a valid bearer token and on routes whose policy says `anonymous` (a
 * login is a few hundred bytes), else `maxBytes`, and never more than the whole budget. While
 * reading, a chunked body that passes the limit or a body longer than its Content-Length is 413.
 * A JSON body whose nesting or count of values is out of all proportion is 400 before it is
 * parsed. Its bytes go back to the budget when the answer is done.
 *
 * @example
 * app.use(bufferedBodyLimit({ maxBytes, anonymousMaxBytes, budget, isAuthenticated }))
 * withPolicy(authRouter, '/api/auth/*', { body: 'anonymous' })
 */
export function bufferedBodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxBytes, anonymousMaxBytes, budget, isAuthenticated, onRefused } = options
  const authenticatedMax = Math.min(maxBytes, budget.totalBytes)
  return async function bufferedBodyLimit(c, next) {
    if (!c.req.raw.body) return next()
    refuseEncoded(c.req.raw.headers)
    const { body: kind = 'buffered' } = policyOf(c)
    if (kind === 'stream') return next()
    const small = kind === 'anonymous' || !(await isAuthenticated(c))
    const limit = small ? Math.min(anonymousMaxBytes, authenticatedMax) : authenticatedMax
    const declared = checkHeaders(c.req.raw.headers, limit)
    let held = 0
    const reserve = (bytes: number) => {
      if (!budget.reserve(bytes)) {
        c.set('shed', 'body_budget')
        onRefused?.()
        throw shedProblem('body_budget', 1)
      }
      held += bytes
    }
    try {
      cacheBody(c, await readBody(c.req.raw, limit, declared, reserve))
      await next()
    } finally {
      budget.release(held)
    }
  }
}

/** The largest body of every route but uploads (whose limit is in lib/uploads/limits.ts). */
export const jsonMaxBytes = (env: Pick<Env, 'MAX_BODY_SIZE_MB'>) => env.MAX_BODY_SIZE_MB * MB

/** The largest body of an anonymous request or of a route whose policy says `anonymous`. */
export const anonymousMaxBytes = (env: Pick<Env, 'ANONYMOUS_BODY_MAX_KB'>) =>
  env.ANONYMOUS_BODY_MAX_KB * 1024
