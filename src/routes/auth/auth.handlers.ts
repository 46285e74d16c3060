import type { Context } from 'hono'
import { issueToken } from '../../middleware/auth'
import { shedProblem } from '../../middleware/memory-guard'
import { clientAddress } from '../../lib/client-address'
import type { AppEnv, AppRouteHandler, Deps } from '../../lib/context'
import { Problem } from '../../lib/problem'
import { iso } from '../../lib/serialize'
import { PasswordHashingBusy } from '../../services/users/password-hashing'
import { authenticate, createUser, findUser, type PublicUser } from '../../services/users/users'
import type { login, me, register } from './auth.routes'

export const toUser = (u: PublicUser) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  created_at: iso(u.createdAt),
})

const tokenFor = (deps: Deps, user: PublicUser) =>
  issueToken(deps.jwtSecret, user, deps.env.JWT_EXPIRES_IN_SECONDS)

/**
 * Password hashes wait their turn (services/users/password-hashing.ts); past the queue the caller
 * gets the memory guard's own refusal: 503, Retry-After, counted as `in_flight`.
 */
async function whenHashingAllows<T>(c: Context<AppEnv>, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof PasswordHashingBusy)) throw error
    c.set('shed', 'in_flight')
    c.var.deps.memory.recordShed('in_flight')
    throw shedProblem('in_flight', 1)
  }
}

export const postRegister: AppRouteHandler<typeof register> = async (c) => {
  const { deps } = c.var
  const user = await whenHashingAllows(c, () => createUser(deps.database.db, c.req.valid('json')))
  return c.json({ user: toUser(user), token: await tokenFor(deps, user) }, 201)
}

export const postLogin: AppRouteHandler<typeof login> = async (c) => {
  const { deps } = c.var
  const { email, password } = c.req.valid('json')
  const key = `${email}|${clientAddress(c)}`
  const verdict = await deps.loginThrottle.check(key)
  if (!verdict.allowed) {
    throw new Problem(429, 'Too many failed logins; try again later.', {
      type: 'rate-limited',
      headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
    })
  }
  const user = await whenHashingAllows(c, () => authenticate(deps.database.db, email, password))
  if (!user) {
    await deps.loginThrottle.fail(key)
    throw new Problem(401, 'Wrong email or password.', { type: 'invalid-credentials' })
  }
  await deps.loginThrottle.reset(key)
  return c.json({ user: toUser(user), token: await tokenFor(deps, user) }, 200)
}

export const getMe: AppRouteHandler<typeof me> = async (c) => {
  const user = await findUser(c.var.deps.database.db, c.var.user.id)
  if (!user) throw new Problem(401, 'The account no longer exists.', { type: 'unauthorized' })
  return c.json(toUser(user), 200)
}
