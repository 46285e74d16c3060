import type { users } from '../../db/schema'

type Role = (typeof users.$inferSelect)['role']

/** Who is asking: what every service that scopes data to its owner needs to know. */
export interface AuthUser {
  id: number
  role: Role
}

/** What a token is checked against on every authenticated request: the account as it is now. */
export interface AuthState extends AuthUser {
  /** Tokens issued at another version are revoked. */
  tokenVersion: number
}
