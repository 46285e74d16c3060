import { issueToken } from '../../middleware/auth'
import { whenLimitAllows } from '../../middleware/memory-guard'
import { clientAddress } from '../../lib/client-address'
import type { AppRouteHandler, Deps } from '../../lib/context'
import { Problem } from '../../lib/problem'
import { iso } from '../../lib/serialize'
import { authenticate, findUser, registerUser, type PublicUser } from '../../services/users/users'
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

/** The one answer to every valid registration, whether or not the email had an account. */
export const REGISTRATION_ACCEPTED = {
  status: 'accepted',
  detail:
    'If this email had no account yet, it has one now. ' +
    'Log in with POST /api/auth/login to get a token.',
} as const

export const postRegister: AppRouteHandler<typeof register> = async (c) => {
  const { deps } = c.var
  await deps.authThrottle.beforeRegister(clientAddress(c))
  await whenLimitAllows(c, () => registerUser(deps.database.db, c.req.valid('json')))
  return c.json(REGISTRATION_ACCEPTED, 202)
}

export const postLogin: AppRouteHandler<typeof login> = async (c) => {
  const { deps } = c.var
  const { email, password } = c.req.valid('json')
  const address = clientAddress(c)
  await deps.authThrottle.beforeCheck('login', email, address)
  const user = await whenLimitAllows(c, () => authenticate(deps.database.db, email, password))
  if (!user) {
    await deps.authThrottle.failed('login', email, address)
    throw new Problem(401, 'Wrong email or password.', { type: 'invalid-credentials' })
  }
  await deps.authThrottle.succeeded('login', email, address)
  return c.json({ user: toUser(user), token: await tokenFor(deps, user) }, 200)
}

export const getMe: AppRouteHandler<typeof me> = async (c) => {
  const user = await findUser(c.var.deps.database.db, c.var.user.id)
  if (!user) throw new Problem(401, 'The account no longer exists.', { type: 'unauthorized' })
  return c.json(toUser(user), 200)
}
