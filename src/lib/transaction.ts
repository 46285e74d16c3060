import type { Db } from '../db/client'
import { isTransientConflict } from './db-errors'
import { Problem } from './problem'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Attempts in all: the first and two retries, enough for the races tests/bookings provoke. */
export const MAX_ATTEMPTS = 3
const BACKOFF_MS = 15

/** What a client sees when the database kept refusing a change for contention: try again. */
export const contentionProblem = (cause?: unknown) =>
  new Problem(503, 'The change collided with concurrent changes; try again.', {
    type: 'contention',
    headers: { 'Retry-After': '1', 'Cache-Control': 'no-store' },
    cause,
  })

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
      if (attempt >= MAX_ATTEMPTS) throw contentionProblem(error)
      await Bun.sleep(BACKOFF_MS * attempt * (0.5 + Math.random()))
    }
  }
}
