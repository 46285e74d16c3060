import { createRoute } from '../../http/create-route'
import { requireUser } from '../../http/middleware/auth'
import { json, problem, retryProblem } from '../../http/openapi-schemas'
import {
  AuthResult,
  LoginBody,
  PasswordChangeBody,
  RegisterBody,
  RegistrationAccepted,
  UserSchema,
} from './auth.schemas'

const tags = ['Auth']
const body = <T extends typeof RegisterBody | typeof LoginBody | typeof PasswordChangeBody>(
  schema: T,
) => ({
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
  summary: 'Create an account, then log in',
  description:
    'The same 202 answers a new email and one that already has an account, so the route does ' +
    'not tell which emails are registered; the account is created only for a new one. Log in ' +
    'with POST /api/auth/login to get a token. Each address may register 10 times an hour.',
  request: { body: body(RegisterBody) },
  responses: {
    202: json(RegistrationAccepted, 'Registration accepted'),
    400: problem('Invalid fields'),
    429: retryProblem('Too many registrations from this address; see Retry-After', {
      type: 'urn:problem:rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many registrations from this address; try again later.',
    }),
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
    429: retryProblem('Too many attempts from this address or on this account; see Retry-After', {
      type: 'urn:problem:rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many failed attempts; try again later.',
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

export const logout = createRoute({
  method: 'post',
  path: '/api/auth/logout',
  tags,
  summary: 'End every session of the current user (all of its tokens)',
  security: [{ bearer: [] }],
  middleware: requireUser(),
  responses: {
    204: { description: 'Logged out; the token, and every other one of the account, is refused' },
    401: problem('Missing or invalid token'),
  },
})

export const password = createRoute({
  method: 'post',
  path: '/api/auth/password',
  tags,
  summary: 'Change the password; ends every other session and answers with a new token',
  security: [{ bearer: [] }],
  middleware: requireUser(),
  request: { body: body(PasswordChangeBody) },
  responses: {
    200: json(AuthResult, 'Changed; only the token in this answer is valid now'),
    400: problem('Invalid fields'),
    401: problem('Missing or invalid token'),
    403: problem('The current password is wrong'),
    429: retryProblem('Too many wrong current passwords; see Retry-After', {
      type: 'urn:problem:rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many failed attempts; try again later.',
    }),
    503: hashQueueFull,
  },
})
