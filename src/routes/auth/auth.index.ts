import { createRouter } from '../../app/create-app'
import { withPolicy } from '../../http/middleware/route-policy'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './auth.handlers'
import * as routes from './auth.routes'

// A sign-in body is a few hundred bytes: the anonymous limit, token or not. Routes that wait for
// a password hash take their in-flight places from a pool apart, so a login flood fills only it.
const router = withPolicy(createRouter(), '/api/auth/*', { body: 'anonymous' })
for (const path of ['/api/auth/login', '/api/auth/register', '/api/auth/password']) {
  withPolicy(router, path, { inFlight: 'password' })
}

export const authRouter = mountRoutes(router, routes, handlers, [
  'register',
  'login',
  'me',
  'logout',
  'password',
])
