import { and, count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { galleryImages, uploads } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'

export const galleryColumns = {
  id: galleryImages.id,
  uploadId: galleryImages.uploadId,
  title: galleryImages.title,
  caption: galleryImages.caption,
  isPublic: galleryImages.isPublic,
  sortOrder: galleryImages.sortOrder,
  mime: uploads.mime,
  createdAt: galleryImages.createdAt,
  updatedAt: galleryImages.updatedAt,
}

export type GalleryRow = {
  id: number
  uploadId: number
  title: string
  caption: string
  isPublic: boolean
  sortOrder: number
  mime: string
  createdAt: Date
  updatedAt: Date
}

export type GalleryInput = {
  uploadId: number
  title: string
  caption?: string
  isPublic: boolean
  sortOrder?: number
}

const withUpload = (db: Db) =>
  db
    .select(galleryColumns)
    .from(galleryImages)
    .innerJoin(uploads, eq(uploads.id, galleryImages.uploadId))

const onlyPublic = eq(galleryImages.isPublic, true)

export function listGallery(
  db: Db,
  publicOnly: boolean,
  window: PageWindow,
): Promise<GalleryRow[]> {
  return withUpload(db)
    .where(and(publicOnly ? onlyPublic : undefined, window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
}

export async function countGallery(db: Db, publicOnly: boolean): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(galleryImages)
    .where(publicOnly ? onlyPublic : undefined)
  return row?.n ?? 0
}

export async function findGalleryImage(db: Db, id: number): Promise<GalleryRow | undefined> {
  const [row] = await withUpload(db).where(eq(galleryImages.id, id))
  return row
}

/** The MIME type of an upload, to check that a gallery entry points at an existing image. */
export async function findUploadMime(db: Db, uploadId: number): Promise<string | undefined> {
  const [row] = await db
    .select({ mime: uploads.mime })
    .from(uploads)
    .where(eq(uploads.id, uploadId))
  return row?.mime
}

export async function createGalleryImage(db: Db, input: GalleryInput) {
  const [row] = await db.insert(galleryImages).values(input).returning({ id: galleryImages.id })
  return findGalleryImage(db, row!.id)
}

export async function updateGalleryImage(db: Db, id: number, input: Partial<GalleryInput>) {
  const [row] = await db
    .update(galleryImages)
    .set({ ...input, updatedAt: new Date() })
    .where(eq(galleryImages.id, id))
    .returning({ id: galleryImages.id })
  return row ? findGalleryImage(db, row.id) : undefined
}

export async function deleteGalleryImage(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .delete(galleryImages)
    .where(eq(galleryImages.id, id))
    .returning({ id: galleryImages.id })
  return rows.length > 0
}
