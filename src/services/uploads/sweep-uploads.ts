import type { Db } from '../../db/client'
import type { Logger } from 'pino'
import {
  LEFTOVER_GRACE_MS,
  removeIfOlder,
  uploadDirBatches,
} from './leftover-files'
import { repeatSweeps } from '../../lib/sweeps'
import { uploadStore } from './upload-store'
import { storedNamesWithRows } from './uploads'

/** Names checked against the database per query. */
const BATCH_SIZE = 500
/**
 * The pauses after each sweep. The first runs at start-up; the second once the grace period has
 * passed, when what a crash just before this start left behind is old enough to go; then hourly
 * (each sweep reads the whole directory).
 */
const PAUSES_MS = [LEFTOVER_GRACE_MS + 60 * 1000, 60 * 60 * 1000]

export interface SweepResult {
  /** Upload files looked at (partial and stored). */
  scanned: number
  /** Partial files (`.incoming-*.part`) removed. */
  partialRemoved: number
  /** Stored files with no upload row removed. */
  orphanedRemoved: number
  /** Partial files and files with no row kept because they are within the grace period. */
  keptRecent: number
}

export interface SweepOptions {
  graceMs?: number
  now?: number
  batchSize?: number
  /** Ends the sweep after the batch in progress (the rest waits for the next one). */
  signal?: AbortSignal
}

/**
 * Removes what interrupted uploads left in `dir`: partial files, and stored files with no upload
 * row (a process killed between renaming a file into place and committing its row), but only
 * those last modified more than the grace period ago, so an instance sharing the volume that is
 * in the middle of an upload keeps its files. Names are checked against the database a batch at a
 * time as the directory is walked.
 */
export async function sweepUploadDir(
  db: Db,
  dir: string,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const cutoff = (options.now ?? Date.now()) - (options.graceMs ?? LEFTOVER_GRACE_MS)
  const result: SweepResult = { scanned: 0, partialRemoved: 0, orphanedRemoved: 0, keptRecent: 0 }
  for await (const batch of uploadDirBatches(dir, options.batchSize ?? BATCH_SIZE)) {
    if (options.signal?.aborted) break
    result.scanned += batch.partial.length + batch.stored.length
    const withRows = await storedNamesWithRows(db, batch.stored)
    for (const name of batch.partial) {
      const outcome = await removeIfOlder(dir, name, cutoff)
      if (outcome === 'removed') result.partialRemoved++
      if (outcome === 'recent') result.keptRecent++
    }
    for (const name of batch.stored) {
      if (withRows.has(name)) continue
      const outcome = await removeIfOlder(dir, name, cutoff)
      if (outcome === 'removed') result.orphanedRemoved++
      if (outcome === 'recent') result.keptRecent++
    }
  }
  return result
}

export interface UploadSweepOptions {
  db: Db
  dir: string
  logger: Logger
}

/**
 * Sweeps UPLOAD_DIR now and then on a schedule (timers that do not keep the process alive),
 * logging what each sweep removed and what it kept for later (at debug when it found nothing).
 * Returns the function that stops the schedule, waiting for a sweep in progress to finish the
 * batch it is on.
 *
 * @example
 * const stopSweeps = startUploadSweeps({ db: database.db, dir: env.UPLOAD_DIR, logger })
 */
export function startUploadSweeps(options: UploadSweepOptions): () => Promise<void> {
  const { db, dir, logger } = options
  return repeatSweeps(async (signal) => {
    const started = performance.now()
    try {
      const store = await uploadStore(dir)
      const result = await sweepUploadDir(db, store.dir, { signal })
      const found = result.partialRemoved + result.orphanedRemoved + result.keptRecent
      logger[found > 0 ? 'info' : 'debug'](
        {
          scanned: result.scanned,
          removed_partial: result.partialRemoved,
          removed_orphaned: result.orphanedRemoved,
          kept_recent: result.keptRecent,
          duration_ms: Math.round(performance.now() - started),
        },
        'upload sweep',
      )
    } catch (error) {
      logger.warn({ err: error }, 'upload sweep failed')
    }
  }, PAUSES_MS)
}
