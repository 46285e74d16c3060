import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { preparedOnce } from '../../db/prepared'
import { users } from '../../db/schema'
import { columnsWithout } from '../../db/wire-fields'
import { LimitReached } from '../../lib/concurrency-limit'
import { ARGON2ID, checkPassword, hashPassword, needsRehash } from './password-hashing'

/** An account as the API may show it, and the version a token issued now carries (sessions.ts). */
export const publicUserColumns = columnsWithout(users, ['passwordHash', 'updatedAt'])

export type PublicUser = Omit<typeof users.$inferSelect, 'passwordHash' | 'updatedAt'>

/**
 * Registers an account unless the email has one; answers whether it did. The password is hashed
 * first either way, and both ways run the same insert, so neither the answer the route gives nor
 * its timing tells whether the email was known.
 */
export async function registerUser(
  db: Db,
  input: { email: string; password: string; name: string },
): Promise<boolean> {
  const passwordHash = await hashPassword(input.password)
  const created = await db
    .insert(users)
    .values({ email: input.email.toLowerCase(), name: input.name, role: 'user', passwordHash })
    .onConflictDoNothing()
    .returning({ id: users.id })
  return created.length > 0
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
  const { ok, found: row } = await checkPassword(password, async () => {
    const [row] = await db
      .select({ ...publicUserColumns, passwordHash: users.passwordHash })
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    // Verifying against a dummy hash keeps the timing of unknown and known emails alike.
    return { hash: row?.passwordHash ?? (await dummyHash()), found: row }
  })
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

// Made once, outside the hashing queue: it is awaited from inside a place of that queue.
let dummy: Promise<string> | undefined
const dummyHash = () => (dummy ??= Bun.password.hash('not-a-real-password', ARGON2ID))

const userById = (db: Db) =>
  preparedOnce(db, 'user_by_id', (name) =>
    db
      .select(publicUserColumns)
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(name),
  )

export async function findUser(db: Db, id: number): Promise<PublicUser | undefined> {
  const [user] = await userById(db).execute({ id })
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
