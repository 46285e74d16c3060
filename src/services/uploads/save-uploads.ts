import type { Db } from '../../db/client'
import type { ReceivedFile, UploadStore } from './upload-store'
import { findUserUploadBySha, insertUpload, type UploadRow } from './uploads'

/**
 * Turns a request's received files into uploads of one user, all or none: each new content is
 * renamed to its stored name and recorded in one transaction; content the user already has
 * answers with the existing upload and its copy is dropped. If anything fails, no file and no
 * row of the request remains.
 */
export async function saveUploads(
  db: Db,
  store: UploadStore,
  userId: number,
  files: ReceivedFile[],
): Promise<UploadRow[]> {
  const stored: string[] = []
  const duplicates: string[] = []
  let rows: UploadRow[]
  try {
    rows = await db.transaction(async (tx) => {
      const saved = new Map<string, UploadRow>()
      // Inserting in hash order makes two concurrent requests wait on each other's unique keys in
      // the same order, so they cannot deadlock.
      const distinct = [...new Map(files.map((f) => [f.sha256, f])).values()]
      distinct.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))
      for (const file of distinct) {
        const existing = await findUserUploadBySha(tx, userId, file.sha256)
        if (existing) {
          saved.set(file.sha256, existing)
          continue
        }
        const storedName = await store.commit(file)
        stored.push(storedName)
        const row = await insertUpload(tx, {
          userId,
          originalName: file.originalName,
          storedName,
          mime: file.mime,
          sizeBytes: file.sizeBytes,
          sha256: file.sha256,
        })
        if (row) {
          saved.set(file.sha256, row)
          continue
        }
        // A concurrent request of the same user stored this content first.
        duplicates.push(storedName)
        const winner = await findUserUploadBySha(tx, userId, file.sha256)
        if (!winner) throw new Error('upload vanished after a unique conflict')
        saved.set(file.sha256, winner)
      }
      return files.map((file) => saved.get(file.sha256)!)
    })
  } catch (error) {
    await Promise.all(stored.map((name) => store.remove(store.pathOf(name)).catch(() => {})))
    throw error
  } finally {
    await Promise.all(files.map((file) => store.remove(file.tempPath).catch(() => {})))
  }
  await Promise.all(duplicates.map((name) => store.remove(store.pathOf(name)).catch(() => {})))
  return rows
}
