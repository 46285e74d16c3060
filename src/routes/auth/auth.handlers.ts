import { issueToken } from '../../http/middleware/auth'
import { whenLimitAllows } from '../../http/middleware/memory-guard'
import { clientAddress } from '../../http/client-address'
import type { AppRouteHandler, Deps } from '../../app/context'
import { Problem } from '../../http/problem'
import { changePassword, revokeSessions } from '../../services/users/sessions'
import { authenticate, findUser, registerUser, type PublicUser } from '../../services/users/users'
import type * as routes from './auth.routes'
import { toUser } from './auth.schemas'

const tokenFor = (deps: Deps, user: PublicUser) =>
  issueToken(deps.jwtSecret, user, deps.env.JWT_EXPIRES_IN_SECONDS)

/** The one answer to every valid registration, whether or not the email had an account. */
export const REGISTRATION_ACCEPTED = {
  status: 'accepted',
  detail:
    'If this email had no account yet, it has one now. ' +
    'Log in with POST /api/auth/login to get a token.',
} as const

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { deps } = c.var
  await deps.authThrottle.beforeRegister(clientAddress(c))
  await whenLimitAllows(c, () => registerUser(deps.database.db, c.req.valid('json')))
  return c.json(REGISTRATION_ACCEPTED, 202)
}

export const login: AppRouteHandler<typeof routes.login> = async (c) => {
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

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  const user = await findUser(c.var.deps.database.db, c.var.user.id)
  if (!user) throw new Problem(401, 'The account no longer exists.', { type: 'unauthorized' })
  return c.json(toUser(user), 200)
}

/** Logging out ends every session of the account: tokens are revoked by version, not one by one. */
export const logout: AppRouteHandler<typeof routes.logout> = async (c) => {
  const { deps, user } = c.var
  await revokeSessions(deps.database.db, user.id)
  await deps.authStates.drop(user.id)
  return c.body(null, 204)
}

export const password: AppRouteHandler<typeof routes.password> = async (c) => {
  const { deps, user } = c.var
  const body = c.req.valid('json')
  const account = String(user.id)
  const address = clientAddress(c)
  // A stolen token must not become a way to guess the password it was issued for.
  await deps.authThrottle.beforeCheck('password-change', account, address)
  const change = await whenLimitAllows(c, () =>
    changePassword(deps.database.db, user.id, body.current_password, body.new_password),
  )
  if (!change.ok && change.reason === 'gone') {
    throw new Problem(401, 'The account no longer exists.', { type: 'unauthorized' })
  }
  if (!change.ok) {
    await deps.authThrottle.failed('password-change', account, address)
    throw new Problem(403, 'The current password is wrong.', { type: 'invalid-credentials' })
  }
  await deps.authThrottle.succeeded('password-change', account, address)
  await deps.authStates.drop(user.id)
  return c.json({ user: toUser(change.user), token: await tokenFor(deps, change.user) }, 200)
}
