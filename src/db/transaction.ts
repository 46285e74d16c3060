import type { Db } from './client'
import { isTransientConflict } from './errors'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Attempts in all: the first and two retries, enough for the races tests/bookings provoke. */
export const MAX_ATTEMPTS = 3
const BACKOFF_MS = 15

/**
 * The one way services run a transaction. A deadlock, serialization failure or lock timeout
 * rolls the whole transaction back and PostgreSQL asks for a retry, so `work` runs again, up to
 * MAX_ATTEMPTS times after a short random pause that keeps the racers apart; past that the
 * client gets 503 with Retry-After, never a 500. `work` must only touch the database: it may run
 * more than once.
 */
export async function transaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work)
    } catch (error) {
      if (!isTransientConflict(error)) throw error
      // Past the last attempt the error goes up as it is: the app answers it with 503.
      if (attempt >= MAX_ATTEMPTS) throw error
      await Bun.sleep(BACKOFF_MS * attempt * (0.5 + Math.random()))
    }
  }
}
