import type { Db } from './client'
import { isTransientConflict } from './errors'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * What a caller adds to a service's transaction, after its writes and before COMMIT, with their
 * result: so that a record of the write (the answer an Idempotency-Key replays) is committed with
 * the write or not at all.
 */
export type BeforeCommit<T> = (tx: Tx, result: T) => Promise<void>

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
export async function transaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  beforeCommit?: BeforeCommit<T>,
): Promise<T> {
  const whole = beforeCommit
    ? async (tx: Tx) => {
        const result = await work(tx)
        await beforeCommit(tx, result)
        return result
      }
    : work
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(whole)
    } catch (error) {
      if (!isTransientConflict(error)) throw error
      // Past the last attempt the error goes up as it is: the app answers it with 503.
      if (attempt >= MAX_ATTEMPTS) throw error
      await Bun.sleep(BACKOFF_MS * attempt * (0.5 + Math.random()))
    }
  }
}
