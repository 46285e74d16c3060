import { users } from '../../src/db/schema'
import { issueToken } from '../../src/http/middleware/auth'
import { uniq, type TestApp } from './app'

/** argon2id of 'load-test-user-password': these users never log in, they only hold tokens. */
const PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=2,p=1$kvZwEhH5R1DFk5vOXnBR4akH99YJ1fp9znANDpGpAMo$' +
  'KQ189N398DvC7Dcy5G6104d/bfacWiETw9bwWFwXxIw'

/** The password of every bulk user (PASSWORD_HASH is its hash). */
export const BULK_PASSWORD = 'load-test-user-password'

export interface BulkUser {
  id: number
  email: string
  auth: { Authorization: string }
}

/**
 * Many users at once, inserted directly: registering each through the API would spend an
 * argon2 hash per user. Remove them with removeUsers.
 */
export async function insertUsers(t: TestApp, count: number): Promise<BulkUser[]> {
  const tag = uniq()
  const rows = await t.database.db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `load-${tag}-${i}@example.com`,
        name: `Load ${i}`,
        passwordHash: PASSWORD_HASH,
      })),
    )
    .returning({ id: users.id, email: users.email })
  return Promise.all(
    rows.map(async ({ id, email }) => {
      const token = await issueToken(t.deps.jwtSecret, { id }, 3600)
      return { id, email, auth: { Authorization: `Bearer ${token}` } }
    }),
  )
}
