import { createRoute } from '@hono/zod-openapi'
import { requireUser } from '../../middleware/auth'
import { json, problem, retryProblem } from '../../lib/openapi-schemas'
import { AuthResult, LoginBody, RegisterBody, UserSchema } from './auth.schemas'

const tags = ['Auth']
const body = <T extends typeof RegisterBody | typeof LoginBody>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

const hashQueueFull = retryProblem('Too many password checks waiting; see Retry-After', {
  type: 'urn:problem:overloaded',
  title: 'Service Unavailable',
  status: 503,
  detail: 'The server is handling as many requests as it can; try again shortly.',
  reason: 'in_flight',
})

export const register = createRoute({
  method: 'post',
  path: '/api/auth/register',
  tags,
  summary: 'Create an account',
  request: { body: body(RegisterBody) },
  responses: {
    201: json(AuthResult, 'Account created'),
    400: problem('Invalid fields'),
    409: problem('The email is taken'),
    503: hashQueueFull,
  },
})

export const login = createRoute({
  method: 'post',
  path: '/api/auth/login',
  tags,
  summary: 'Exchange email and password for a token',
  request: { body: body(LoginBody) },
  responses: {
    200: json(AuthResult, 'Logged in'),
    400: problem('Invalid fields'),
    401: problem('Wrong email or password'),
    429: retryProblem('Too many failed attempts; see Retry-After', {
      type: 'urn:problem:rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many failed logins; try again later.',
    }),
    503: hashQueueFull,
  },
})

export const me = createRoute({
  method: 'get',
  path: '/api/auth/me',
  tags,
  summary: 'The current user',
  security: [{ bearer: [] }],
  middleware: requireUser(),
  responses: {
    200: json(UserSchema, 'The user the token belongs to'),
    401: problem('Missing or invalid token'),
  },
})
