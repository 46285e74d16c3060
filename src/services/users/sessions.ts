import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { users } from '../../db/schema'
import type { AuthState } from './account'
import { preparedOnce } from '../../db/prepared'
import { hashPassword, verifyPassword } from './password-hashing'
import { publicUserColumns, type PublicUser } from './users'

const authStateQuery = (db: Db) =>
  preparedOnce(db, 'auth_state', (name) =>
    db
      .select({ id: users.id, role: users.role, tokenVersion: users.tokenVersion })
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(name),
  )

/** The account a token names, as it is now; null once it is deleted. Runs on every cache miss. */
export async function loadAuthState(db: Db, id: number): Promise<AuthState | null> {
  const [row] = await authStateQuery(db).execute({ id })
  return row ?? null
}

/**
 * Ends every session of the user: tokens carry the version they were issued at, and this moves
 * it on. Returns the new version, or undefined when the account is gone.
 */
export async function revokeSessions(db: Db, id: number): Promise<number | undefined> {
  const [row] = await db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning({ tokenVersion: users.tokenVersion })
  return row?.tokenVersion
}

export type PasswordChange =
  | { ok: true; user: PublicUser }
  | { ok: false; reason: 'wrong-password' | 'gone' }

/**
 * Replaces the password when `currentPassword` is right, and ends every session issued before
 * (a stolen token must not outlive the password it was obtained with). Throws LimitReached when
 * too many password hashes are already waiting.
 */
export async function changePassword(
  db: Db,
  id: number,
  currentPassword: string,
  newPassword: string,
): Promise<PasswordChange> {
  const [row] = await db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, id))
  if (!row) return { ok: false, reason: 'gone' }
  if (!(await verifyPassword(currentPassword, row.passwordHash))) {
    return { ok: false, reason: 'wrong-password' }
  }
  const passwordHash = await hashPassword(newPassword)
  // Only over the hash just checked: of two concurrent changes the first wins, the second is
  // answered as a wrong password.
  const [updated] = await db
    .update(users)
    .set({
      passwordHash,
      tokenVersion: sql`${users.tokenVersion} + 1`,
      updatedAt: sql`now()`,
    })
    .where(sql`${users.id} = ${id} and ${users.passwordHash} = ${row.passwordHash}`)
    .returning(publicUserColumns)
  if (!updated) return { ok: false, reason: 'wrong-password' }
  return { ok: true, user: updated }
}
