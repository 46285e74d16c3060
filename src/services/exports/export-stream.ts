import type { Database } from '../../db/client'
import type { StreamFormat } from '../../lib/stream-rows'
import type { AdminFilter } from '../bookings/list-bookings'
import { streamExportCopy } from './bookings-copy'
import { streamExportBatches, type ExportStreamOptions } from './bookings-export'

/** COPY exports running now, per database: each holds a pooled connection until it ends. */
const running = new WeakMap<Database, number>()

/**
 * At most half the pool streams COPY exports at once, so slow downloads cannot take every
 * connection from the rest of the API; a COPY also needs one more connection free to be
 * cancelled from. With a pool of one, never.
 */
const copySlots = (database: Database) => Math.floor(database.poolStats().max / 2)

/**
 * The one place that picks how an export is made. On PostgreSQL, COPY: the database encodes
 * every row and this process passes the bytes through. On PGlite (no streaming COPY TO STDOUT),
 * or while the COPY slots are taken, keyset batches encoded here. Both write the same bytes.
 */
export async function openBookingsExport(
  database: Database,
  filter: AdminFilter,
  format: StreamFormat,
  options: ExportStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const inUse = running.get(database) ?? 0
  if (!database.sql || inUse >= copySlots(database)) {
    return streamExportBatches(database.db, filter, format, options)
  }
  running.set(database, inUse + 1)
  let released = false
  const release = () => {
    if (released) return
    released = true
    running.set(database, (running.get(database) ?? 1) - 1)
  }
  try {
    return await streamExportCopy(database.sql, filter, format, { ...options, onDone: release })
  } catch (error) {
    release()
    throw error
  }
}
