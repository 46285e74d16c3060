import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { users } from '../../db/schema'
import { LimitReached } from '../../lib/concurrency-limit'
import { sqlState } from '../../lib/db-errors'
import { conflict } from '../../lib/problem'
import { hashPassword, needsRehash, verifyPassword } from './password-hashing'

export const publicUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  createdAt: users.createdAt,
  tokenVersion: users.tokenVersion,
}

export type PublicUser = {
  id: number
  email: string
  name: string
  role: 'user' | 'admin'
  createdAt: Date
  /** The version a token issued now carries (see sessions.ts). */
  tokenVersion: number
}

export async function createUser(
  db: Db,
  input: { email: string; password: string; name: string; role?: 'user' | 'admin' },
): Promise<PublicUser> {
  try {
    const [user] = await db
      .insert(users)
      .values({
        email: input.email.toLowerCase(),
        name: input.name,
        role: input.role ?? 'user',
        passwordHash: await hashPassword(input.password),
      })
      .returning(publicUserColumns)
    return user!
  } catch (error) {
    if (sqlState(error) === '23505') throw conflict('An account with this email already exists.')
    throw error
  }
}

/**
 * The user with this email and password, or undefined; always pays for one hash check. A hash
 * made with older parameters is replaced by one with today's once the password is known right.
 * Throws LimitReached when too many checks are already waiting.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
): Promise<PublicUser | undefined> {
  const [row] = await db
    .select({ ...publicUserColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
  // Verifying against a dummy hash keeps the timing of unknown and known emails alike.
  const hash = row?.passwordHash ?? (await dummyHash())
  const ok = await verifyPassword(password, hash)
  if (!row || !ok) return undefined
  const { passwordHash: _, ...user } = row
  if (needsRehash(row.passwordHash)) await rehash(db, user.id, password)
  return user
}

/** Best effort: a busy hashing queue leaves the old hash for the next login to replace. */
async function rehash(db: Db, id: number, password: string) {
  let passwordHash: string
  try {
    passwordHash = await hashPassword(password)
  } catch (error) {
    if (error instanceof LimitReached) return
    throw error
  }
  await db.update(users).set({ passwordHash }).where(eq(users.id, id))
}

let dummy: Promise<string> | undefined
const dummyHash = () =>
  (dummy ??= hashPassword('not-a-real-password').catch((error) => {
    // A busy queue must not be remembered as the answer for every later unknown email.
    dummy = undefined
    throw error
  }))

export async function findUser(db: Db, id: number): Promise<PublicUser | undefined> {
  const [user] = await db.select(publicUserColumns).from(users).where(eq(users.id, id))
  return user
}

/** Creates the configured admin, or makes the existing account an admin; safe to repeat. */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<void> {
  const [existing] = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
  if (!existing) {
    await db
      .insert(users)
      .values({
        email: email.toLowerCase(),
        name: 'Administrator',
        role: 'admin',
        passwordHash: await hashPassword(password),
      })
      .onConflictDoNothing()
  } else if (existing.role !== 'admin') {
    await db.update(users).set({ role: 'admin' }).where(eq(users.id, existing.id))
  }
}
