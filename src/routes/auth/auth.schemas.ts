import { z } from '@hono/zod-openapi'
import { users } from '../../db/schema'
import { jsonView } from '../../http/table-json'
import { createSelectSchema } from '../../http/table-schemas'

export const Email = z
  .email()
  .max(254)
  .transform((v) => v.toLowerCase())
  .openapi({ example: 'ana@example.com' })

/** An account as its owner sees it: no password hash, no token version. */
const User = jsonView(
  createSelectSchema(users, { email: (s) => s.openapi({ example: 'ana@example.com' }) }).omit({
    passwordHash: true,
    updatedAt: true,
  }),
  { omit: ['tokenVersion'] },
)

export const UserSchema = User.schema.openapi('User')

export const toUser = User.toJson

export const RegisterBody = z
  .object({
    email: Email,
    password: z.string().min(8).max(200),
    name: z.string().trim().min(1).max(200),
  })
  .openapi('RegisterRequest')

export const LoginBody = z
  .object({ email: Email, password: z.string().min(1).max(200) })
  .openapi('LoginRequest')

export const AuthResult = z.object({ user: UserSchema, token: z.string() }).openapi('AuthResult')

export const RegistrationAccepted = z
  .object({
    status: z.literal('accepted'),
    detail: z.string(),
  })
  .openapi('RegistrationAccepted')

export const PasswordChangeBody = z
  .object({
    current_password: z.string().min(1).max(200),
    new_password: z.string().min(8).max(200),
  })
  .openapi('PasswordChangeRequest')
