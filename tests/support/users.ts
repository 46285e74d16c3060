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

let lastAddress = 0

/** A client address of its own for each caller, so no test shares another's throttle counts. */
export function freshAddress(): string {
  lastAddress++
  return `10.${(lastAddress >> 16) & 255}.${(lastAddress >> 8) & 255}.${lastAddress & 255}`
}

/** The third argument of `app.request`: the request comes from this peer address. */
export const fromAddress = (address: string) => ({
  requestIP: () => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 40000 }),
})

/**
 * Registers a user through the API and logs in (registration answers 202 without a token), as
 * a client does; `admin` is promoted before the login so its token carries the role.
 */
export async function makeUser(t: TestApp, role: 'user' | 'admin' = 'user'): Promise<TestUser> {
  const email = `${role}-${uniq()}@example.com`
  const password = 'correct horse battery'
  const client = fromAddress(freshAddress())
  const registered = await t.app.request(
    '/api/auth/register',
    jsonInit('POST', { email, password, name: `Test ${role}` }),
    client,
  )
  if (registered.status !== 202) {
    throw new Error(`register failed: ${registered.status} ${await registered.text()}`)
  }
  if (role === 'admin') {
    await t.database.db.update(users).set({ role: 'admin' }).where(eq(users.email, email))
  }
  const login = await t.app.request(
    '/api/auth/login',
    jsonInit('POST', { email, password }),
    client,
  )
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  const body = (await login.json()) as { user: { id: number }; token: string }
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
