import type { MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import type { AppEnv, AuthUser } from '../lib/context'
import { Problem } from '../lib/problem'

const unauthorized = (detail: string) =>
  new Problem(401, detail, {
    type: 'unauthorized',
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  })

export async function issueToken(
  secret: string,
  user: { id: number; role: 'user' | 'admin' },
  expiresInSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return sign({ sub: String(user.id), role: user.role, iat: now, exp: now + expiresInSeconds }, secret, 'HS256')
}

async function readUser(header: string | undefined, secret: string): Promise<AuthUser> {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
  if (!match) throw unauthorized('A bearer token is required.')
  try {
    const payload = await verify(match[1]!, secret, 'HS256')
    const id = Number(payload.sub)
    const role = payload.role
    if (!Number.isSafeInteger(id) || id < 1 || (role !== 'user' && role !== 'admin')) {
      throw new Error('malformed claims')
    }
    return { id, role }
  } catch {
    throw unauthorized('The token is invalid or has expired.')
  }
}

/**
 * Requires a valid bearer token and puts its user in `c.var.user`.
 *
 * @example
 * router.use('/api/bookings/*', requireUser())
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    c.set('user', await readUser(c.req.header('Authorization'), c.var.deps.jwtSecret))
    await next()
  }
}

/** Requires an admin: 401 without a valid token, 403 for anyone else. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    const user = await readUser(c.req.header('Authorization'), c.var.deps.jwtSecret)
    if (user.role !== 'admin') {
      throw new Problem(403, 'This needs an administrator.', { type: 'forbidden' })
    }
    c.set('user', user)
    await next()
  }
}
