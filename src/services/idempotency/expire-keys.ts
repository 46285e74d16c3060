import type { Logger } from 'pino'
import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client'
import { repeatSweeps } from '../../lib/sweeps'

/** Keys deleted per statement: short statements, so a sweep never holds many row locks at once. */
const BATCH_SIZE = 1000
const HOURLY_MS = 60 * 60 * 1000

/**
 * Deletes the keys claimed more than `hours` ago, a batch at a time (through the index on
 * created_at), until none is left or `signal` aborts; answers how many went. A retry with an
 * expired key runs as a new request.
 */
export async function expireKeys(
  db: Db,
  hours: number,
  options: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? BATCH_SIZE
  let removed = 0
  while (!options.signal?.aborted) {
    const [batch] = await queryRows<{ n: number }>(
      db,
      sql`with gone as (
            delete from idempotency_keys
            where (user_id, route, key) in (
              select user_id, route, key from idempotency_keys
              where created_at < now() - make_interval(hours => ${hours})
              limit ${batchSize})
            returning 1)
          select count(*)::int as n from gone`,
    )
    removed += batch!.n
    if (batch!.n < batchSize) break
  }
  return removed
}

/**
 * Expires keys older than `hours` at start-up and hourly after it, logging what went. Returns
 * the function that stops it.
 *
 * @example
 * const stopKeyExpiry = startKeyExpiry({ db, hours: env.IDEMPOTENCY_KEY_HOURS, logger })
 */
export function startKeyExpiry(options: { db: Db; hours: number; logger: Logger }) {
  const { db, hours, logger } = options
  return repeatSweeps(async (signal) => {
    try {
      const removed = await expireKeys(db, hours, { signal })
      logger[removed > 0 ? 'info' : 'debug']({ removed, hours }, 'idempotency keys expired')
    } catch (error) {
      logger.warn({ err: error }, 'idempotency key expiry failed')
    }
  }, [HOURLY_MS])
}
