import { eq, inArray } from 'drizzle-orm'
import { bookings, rackOrders, uploads, users } from '../../src/db/schema'
import type { TestApp } from './app'
import { uniq } from './app'

export interface TestUser {
  id: number
  email: string
  password: string
  token: string
  auth: { Authorization: string }
}

/** Registers a user through the API (and promotes it for `admin`), returning its token. */
export async function makeUser(t: TestApp, role: 'user' | 'admin' = 'user'): Promise<TestUser> {
  const email = `${role}-${uniq()}@example.com`
  const password = 'correct horse battery'
  const res = await t.app.request('/api/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: `Test ${role}` }),
  })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`)
  let body = (await res.json()) as { user: { id: number }; token: string }
  if (role === 'admin') {
    await t.database.db.update(users).set({ role: 'admin' }).where(eq(users.id, body.user.id))
    const login = await t.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    body = (await login.json()) as typeof body
  }
  return {
    id: body.user.id,
    email,
    password,
    token: body.token,
    auth: { Authorization: `Bearer ${body.token}` },
  }
}

/** Removes users and everything they own, in foreign-key order. */
export async function removeUsers(t: TestApp, ids: number[]): Promise<void> {
  if (ids.length === 0) return
  const { db } = t.database
  await db.delete(bookings).where(inArray(bookings.userId, ids))
  await db.delete(rackOrders).where(inArray(rackOrders.userId, ids))
  await db.delete(uploads).where(inArray(uploads.userId, ids))
  await db.delete(users).where(inArray(users.id, ids))
}

export const jsonInit = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
