import { z } from '@hono/zod-openapi'

export const Email = z
  .email()
  .max(254)
  .transform((v) => v.toLowerCase())
  .openapi({ example: 'ana@example.com' })

export const UserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['user', 'admin']),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User')

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
