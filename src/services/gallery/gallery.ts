import { eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { galleryImages, uploads } from '../../db/schema'
import { crudService } from '../crud/crud-service'
import { ServiceError } from '../errors'

const crud = crudService({
  name: 'gallery image',
  table: galleryImages,
  // An entry shows its image's type; the upload it points at always exists (cascade).
  fields: { ...getTableColumns(galleryImages), mime: uploads.mime },
  join: (query) => query.innerJoin(uploads, eq(uploads.id, galleryImages.uploadId)),
  shownWhen: galleryImages.isPublic,
  remove: 'delete',
  // Served by gallery_images_public_order_idx.
  visibleOrder: { field: 'sortOrder', sortType: 'int' },
})

type GalleryInput = typeof galleryImages.$inferInsert

/** A gallery entry shows an image: the upload must exist and be one (not a PDF). */
async function checkImageUpload(db: Db, uploadId: number | undefined) {
  if (uploadId === undefined) return
  const [upload] = await db
    .select({ mime: uploads.mime })
    .from(uploads)
    .where(eq(uploads.id, uploadId))
  if (!upload?.mime.startsWith('image/')) {
    throw new ServiceError('unprocessable', 'The gallery can only show an uploaded image.', {
      type: 'not-an-image-upload',
      errors: [
        { path: 'upload_id', message: upload ? 'the upload is not an image' : 'no such upload' },
      ],
    })
  }
}

export async function createGalleryImage(db: Db, input: GalleryInput) {
  await checkImageUpload(db, input.uploadId)
  return crud.create(db, input)
}

async function updateGalleryImage(db: Db, id: number, input: Partial<GalleryInput>) {
  await checkImageUpload(db, input.uploadId)
  return crud.update(db, id, input)
}

/**
 * The public gallery: public images by sort order; the admin sees all by id. An entry only shows
 * an upload, so deleting one removes the entry and keeps the file.
 */
export const galleryService = {
  ...crud,
  create: createGalleryImage,
  update: updateGalleryImage,
}
