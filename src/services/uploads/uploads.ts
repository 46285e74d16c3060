import { and, eq, exists, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { galleryImages, uploads } from '../../db/schema'
import { countUpToQuery, inWindow, type PageWindow } from '../../db/keyset'

export const uploadColumns = getTableColumns(uploads)

export type UploadRow = typeof uploads.$inferSelect

export type UploadInput = Omit<UploadRow, 'id' | 'createdAt'>

export function listUserUploads(db: Db, userId: number, window: PageWindow): Promise<UploadRow[]> {
  return inWindow(
    db.select(uploadColumns).from(uploads).$dynamic(),
    eq(uploads.userId, userId),
    window,
  )
}

/** A user's uploads, counted up to `upTo` + 1 (see `countUpToQuery`). */
export async function countUserUploads(db: Db, userId: number, upTo: number): Promise<number> {
  const [row] = await countUpToQuery(db, uploads, eq(uploads.userId, userId), upTo)
  return row?.n ?? 0
}

/** An upload and whether the public gallery shows it (then anyone may read it). */
export async function findUpload(db: Db, id: number) {
  const [row] = await db
    .select({
      ...uploadColumns,
      isPublic: sql<boolean>`${exists(
        db
          .select({ one: sql`1` })
          .from(galleryImages)
          .where(and(eq(galleryImages.uploadId, uploads.id), eq(galleryImages.isPublic, true))),
      )}`,
    })
    .from(uploads)
    .where(eq(uploads.id, id))
  return row
}

export async function findUserUploadBySha(db: Db, userId: number, sha256: string) {
  const [row] = await db
    .select(uploadColumns)
    .from(uploads)
    .where(and(eq(uploads.userId, userId), eq(uploads.sha256, sha256)))
  return row
}

/** Inserts an upload unless the user already has this content; `undefined` then. */
export async function insertUpload(db: Db, input: UploadInput): Promise<UploadRow | undefined> {
  const [row] = await db
    .insert(uploads)
    .values(input)
    .onConflictDoNothing({ target: [uploads.userId, uploads.sha256] })
    .returning(uploadColumns)
  return row
}

/** Which of these stored names have an upload row (a lookup on the unique stored_name index). */
export async function storedNamesWithRows(db: Db, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set()
  const rows = await db
    .select({ storedName: uploads.storedName })
    .from(uploads)
    .where(inArray(uploads.storedName, names))
  return new Set(rows.map((r) => r.storedName))
}
