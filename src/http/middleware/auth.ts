import type { Context, MiddlewareHandler } from 'hono'
import { sign } from 'hono/jwt'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AuthState } from '../../app/cache/auth-states'
import type { AppEnv } from '../../app/context'
import { Problem } from '../problem'

const unauthorized = (detail: string) =>
  new Problem(401, detail, {
    type: 'unauthorized',
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  })

/**
 * A token for the user at its current `tokenVersion` (claim `ver`). It names the account, not its
 * role: the role is read from the database on every request, so a demotion takes effect at once.
 */
export async function issueToken(
  secret: string,
  user: { id: number; tokenVersion?: number },
  expiresInSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const ver = user.tokenVersion ?? 0
  return sign({ sub: String(user.id), ver, iat: now, exp: now + expiresInSeconds }, secret, 'HS256')
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/
const part = (text: string): unknown => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
/** `typ` is optional; when present it names a JWT, as RFC 7519 5.1 spells it or as a media type. */
const isJwtType = (typ: unknown) =>
  typ === undefined ||
  (typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt')
/** A registered time claim, if present, must be a finite number of seconds. */
const claim = (value: unknown, fails: (seconds: number) => boolean) =>
  value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || fails(value))

/**
 * The payload of an HS256 token signed with `secret`, or undefined. Same checks as hono/jwt's
 * verify (header alg HS256, typ JWT, no crit; exp, nbf and iat against the clock; the signature),
 * but with node:crypto's HMAC: hono imports the key through WebCrypto and verifies there on every
 * call, about 30 µs a token in Bun, where this takes under 2 µs. The signature is checked first,
 * so nothing unsigned is ever parsed.
 */
export function verifyHs256(token: string, secret: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !BASE64URL.test(parts[2]!)) return undefined
  const signature = Buffer.from(parts[2]!, 'base64url')
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    return undefined
  }
  const header = part(parts[0]!) as Record<string, unknown> | null
  const payload = part(parts[1]!) as Record<string, unknown> | null
  if (typeof header !== 'object' || header === null || typeof payload !== 'object' || !payload) {
    return undefined
  }
  if (header.alg !== 'HS256' || !isJwtType(header.typ) || 'crit' in header) return undefined
  const now = Math.floor(Date.now() / 1000)
  if (
    claim(payload.nbf, (nbf) => nbf > now) ||
    claim(payload.exp, (exp) => exp <= now) ||
    claim(payload.iat, (iat) => iat > now)
  ) {
    return undefined
  }
  return payload
}

/** The account id and token version a valid `Authorization: Bearer` header names, if any. */
export function bearerToken(
  header: string | undefined,
  secret: string,
): { id: number; version: number } | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
  if (!match) return undefined
  let payload: Record<string, unknown> | undefined
  try {
    payload = verifyHs256(match[1]!, secret)
  } catch {
    // a signed part that is not JSON: refused like any other bad token
  }
  const id = Number(payload?.sub)
  // Tokens issued before versions existed carry none: they are version 0 until the first revoke.
  const version = payload?.ver ?? 0
  if (!payload || !Number.isSafeInteger(id) || id < 1 || !Number.isSafeInteger(version)) {
    return undefined
  }
  return { id, version: version as number }
}

/** As bearerToken, but 401 for a missing or bad token. */
function readToken(header: string | undefined, secret: string): { id: number; version: number } {
  if (!header || !/^Bearer\s+\S+$/i.test(header)) {
    throw unauthorized('A bearer token is required.')
  }
  const token = bearerToken(header, secret)
  if (!token) throw unauthorized('The token is invalid or has expired.')
  return token
}

/**
 * The user a request's token belongs to, as the database has it now (through the short-lived
 * auth state cache): a deleted account, or a token issued before a logout or a password change,
 * is a 401, and the role is the account's, not what it was when the token was issued.
 */
export async function authenticatedUser(c: Context<AppEnv>): Promise<AuthState> {
  const deps = c.get('deps')
  const token = readToken(c.req.header('Authorization'), deps.jwtSecret)
  const state = await deps.authStates.get(token.id)
  if (state === null) throw unauthorized('The account no longer exists.')
  if (state.tokenVersion !== token.version) {
    throw unauthorized('The session has ended; log in again.')
  }
  return state
}

/**
 * Requires a valid bearer token of an existing account, and puts its user in `c.var.user`.
 *
 * @example
 * router.use('/api/bookings/*', requireUser())
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    c.set('user', await authenticatedUser(c))
    return next()
  }
}

/** Requires an admin: 401 without a valid token, 403 for anyone else. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    const user = await authenticatedUser(c)
    if (user.role !== 'admin') {
      throw new Problem(403, 'This needs an administrator.', { type: 'forbidden' })
    }
    c.set('user', user)
    return next()
  }
}
