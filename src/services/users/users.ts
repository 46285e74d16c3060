import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { users } from '../../db/schema'
import { sqlState } from '../../lib/db-errors'
import { conflict } from '../../lib/problem'

export const publicUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  createdAt: users.createdAt,
}

export type PublicUser = {
  id: number
  email: string
  name: string
  role: 'user' | 'admin'
  createdAt: Date
}

export const hashPassword = (password: string) =>
  Bun.password.hash(password, { algorithm: 'argon2id' })

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

/** The user with this email and password, or undefined; always pays for one hash check. */
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
  const ok = await Bun.password.verify(password, hash)
  if (!row || !ok) return undefined
  const { passwordHash: _, ...user } = row
  return user
}

let dummy: Promise<string> | undefined
const dummyHash = () => (dummy ??= hashPassword('not-a-real-password'))

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
