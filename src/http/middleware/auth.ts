import type { Context, MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import type { LRUCache } from 'lru-cache'
import { growingLru } from '../../lib/lru'
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

/** A valid token's account and version. */
export interface Bearer {
  id: number
  version: number
}

/** A token that passed `verify`: what it names, and until when (seconds) it may be used. */
interface Verified {
  bearer: Bearer
  exp?: number
}

/** What is kept per signing secret: its imported key, and the tokens it already verified. */
interface SecretState {
  key: Promise<CryptoKey>
  verified: LRUCache<string, Verified>
}

const secrets = new Map<string, SecretState>()

/**
 * hono/jwt imports a secret given as a string again on every call; a CryptoKey it uses as is.
 * Verified tokens are kept by their text: a browser sends the same token with every request, and
 * the WebCrypto HMAC check took 17 % of the CPU of a by-id read under load (`bun --cpu-prof`, the
 * benchmark's W2). The same bytes pass the signature, header and nbf/iat checks again, so a hit
 * only checks the expiry. At most 2,048 tokens (< 1 MB).
 */
function stateOf(secret: string): SecretState {
  let state = secrets.get(secret)
  if (!state) {
    const raw = new TextEncoder().encode(secret)
    const key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ])
    state = { key, verified: growingLru<string, Verified>(2048) }
    secrets.set(secret, state)
  }
  return state
}

const BEARER = /^Bearer\s+(\S+)$/i

/**
 * The account and version of a valid `Authorization: Bearer` token signed with `secret`, if any:
 * hono/jwt's verify (header alg HS256 and typ JWT, no crit; exp, nbf and iat against the clock;
 * the signature), then the claims this service puts in (`sub`, `ver`).
 */
async function verifyBearer(header: string | undefined, secret: string) {
  const match = header ? BEARER.exec(header) : null
  if (!match) return undefined
  const token = match[1]!
  const { key, verified } = stateOf(secret)
  const known = verified.get(token)
  if (known) {
    // As verify judges `exp`: expired from that second on.
    const expired = known.exp !== undefined && known.exp <= Math.floor(Date.now() / 1000)
    return expired ? undefined : known.bearer
  }
  let payload: Record<string, unknown>
  try {
    payload = await verify(token, await key, 'HS256')
  } catch {
    return undefined
  }
  const id = Number(payload.sub)
  // Tokens issued before versions existed carry none: they are version 0 until the first revoke.
  const version = payload.ver ?? 0
  if (!Number.isSafeInteger(id) || id < 1 || !Number.isSafeInteger(version)) return undefined
  const bearer = { id, version: version as number }
  verified.set(token, { bearer, exp: typeof payload.exp === 'number' ? payload.exp : undefined })
  return bearer
}

/**
 * The account a request's valid bearer token names, if any. Verified once per request, by
 * whichever asks first: the body limit (which gives a signed-in request the larger limit) or the
 * route's requireUser / requireAdmin.
 */
export function bearerOf(c: Context<AppEnv>): Promise<Bearer | undefined> {
  let bearer = c.get('bearer')
  if (!bearer) {
    bearer = verifyBearer(c.req.header('Authorization'), c.get('deps').jwtSecret)
    c.set('bearer', bearer)
  }
  return bearer
}

/**
 * The user a request's token belongs to, as the database has it now (through the short-lived
 * auth state cache): a deleted account, or a token issued before a logout or a password change,
 * is a 401, and the role is the account's, not what it was when the token was issued.
 */
async function authenticatedUser(c: Context<AppEnv>): Promise<AuthState> {
  const deps = c.get('deps')
  const token = await bearerOf(c)
  if (!token) {
    const header = c.req.header('Authorization')
    if (!header || !BEARER.test(header)) throw unauthorized('A bearer token is required.')
    throw unauthorized('The token is invalid or has expired.')
  }
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
