import { opendir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { uploadFileKind } from './upload-store'

/**
 * How old (by mtime) a file with no upload row, or a partial one, must be before a sweep removes
 * it. Files a live process holds are refreshed ten times as often (HELD_FILE_REFRESH_MS), so
 * another instance sharing the volume never loses a file it is still receiving or committing.
 */
export const LEFTOVER_GRACE_MS = 10 * 60 * 1000

export interface UploadDirBatch {
  partial: string[]
  stored: string[]
}

/**
 * The names of upload files in `dir`, at most `size` at a time, read as the directory is walked
 * (a volume holding a million uploads is never listed into memory at once). Anything else in the
 * directory is ignored.
 */
export async function* uploadDirBatches(dir: string, size: number): AsyncGenerator<UploadDirBatch> {
  let batch: UploadDirBatch = { partial: [], stored: [] }
  for await (const entry of await opendir(dir)) {
    if (!entry.isFile()) continue
    const kind = uploadFileKind(entry.name)
    if (!kind) continue
    batch[kind].push(entry.name)
    if (batch.partial.length + batch.stored.length >= size) {
      yield batch
      batch = { partial: [], stored: [] }
    }
  }
  if (batch.partial.length + batch.stored.length > 0) yield batch
}

/**
 * Removes `dir/name` if it was last modified before `cutoffMs`: `removed`, `recent` (kept), or
 * `gone` when something else removed it first.
 */
export async function removeIfOlder(
  dir: string,
  name: string,
  cutoffMs: number,
): Promise<'removed' | 'recent' | 'gone'> {
  const path = join(dir, name)
  const info = await stat(path).catch(() => undefined)
  if (!info) return 'gone'
  if (info.mtimeMs >= cutoffMs) return 'recent'
  await rm(path, { force: true })
  return 'removed'
}
