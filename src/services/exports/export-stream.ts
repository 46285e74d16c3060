import type { Database } from '../../db/client'
import { concurrencyLimit, type ConcurrencyLimit } from '../../lib/concurrency-limit'
import type { StreamFormat } from '../../db/stream-rows'
import type { AdminFilter } from '../bookings/list-bookings'
import { streamExportCopy } from './bookings-copy'
import { streamExportBatches, type ExportStreamOptions } from './bookings-export'

/** Exports that may wait for a turn; past that, or past EXPORT_MAX_WAIT_MS, LimitReached. */
export const EXPORT_QUEUE = 64
const EXPORT_MAX_WAIT_MS = 30_000

/** Per database: tests and benchmarks run several apps in one process. */
const limits = new WeakMap<Database, ConcurrencyLimit>()

/**
 * At most half the pool streams exports at once, so slow downloads cannot take every connection
 * from the rest of the API; a COPY also needs one more connection free to be cancelled from.
 * Further exports wait their turn rather than run another way: 64 exports at once grew RSS by
 * 320 MB when those past the COPY slots were encoded here, by 50 MB taking turns at COPY (and
 * more of them finished per second).
 */
const exportSlots = (database: Database) => Math.floor(database.poolStats().max / 2)

function exportLimit(database: Database): ConcurrencyLimit {
  let limit = limits.get(database)
  if (!limit) {
    limit = concurrencyLimit({
      name: 'exports',
      concurrency: Math.max(1, exportSlots(database)),
      maxQueued: EXPORT_QUEUE,
      maxWaitMs: EXPORT_MAX_WAIT_MS,
    })
    limits.set(database, limit)
  }
  return limit
}

/**
 * The one place that picks how an export is made, once it has its turn. On PostgreSQL, COPY: the
 * database encodes every row and this process passes the bytes through. On PGlite (no streaming
 * COPY TO STDOUT), or with a pool of one, keyset batches encoded here. Both write the same bytes.
 * Rejects with LimitReached when too many exports are waiting, and with the signal's reason when
 * the client leaves while waiting.
 */
export async function openBookingsExport(
  database: Database,
  filter: AdminFilter,
  format: StreamFormat,
  options: ExportStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const release = await exportLimit(database).acquire(options.signal)
  const onDone = () => {
    release()
    options.onDone?.()
  }
  try {
    if (database.sql && exportSlots(database) > 0) {
      return await streamExportCopy(database.sql, filter, format, { ...options, onDone })
    }
    return streamExportBatches(database.db, filter, format, { ...options, onDone })
  } catch (error) {
    release()
    throw error
  }
}
