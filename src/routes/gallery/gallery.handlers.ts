import { galleryImages } from '../../db/schema'
import type { Db } from '../../db/client'
import type { AppRouteHandler } from '../../app/context'
import { paginate, type Keyset } from '../../http/pagination'
import { Problem, notFound } from '../../http/problem'
import * as service from '../../services/gallery/gallery'
import type * as routes from './gallery.routes'
import { fromGalleryInput, toGalleryImage, toPublicGalleryImage } from './gallery.schemas'

const bySortOrder: Keyset<service.GalleryRow> = {
  sort: galleryImages.sortOrder,
  sortType: 'int',
  id: galleryImages.id,
  direction: 'asc',
  key: (g) => [g.sortOrder, g.id],
}

const byId: Keyset<service.GalleryRow> = {
  sort: galleryImages.id,
  id: galleryImages.id,
  direction: 'asc',
  key: (g) => [g.id, g.id],
}

export const publicList: AppRouteHandler<typeof routes.publicList> = async (c) => {
  const { db } = c.var.deps.database
  const page = await paginate(c, {
    query: c.req.valid('query'),
    keyset: bySortOrder,
    rows: (window) => service.listGallery(db, true, window),
    total: () => service.countGallery(db, true),
    map: toPublicGalleryImage,
  })
  return c.json(page, 200)
}

export const adminList: AppRouteHandler<typeof routes.adminList> = async (c) => {
  const { db } = c.var.deps.database
  const page = await paginate(c, {
    query: c.req.valid('query'),
    keyset: byId,
    rows: (window) => service.listGallery(db, false, window),
    total: () => service.countGallery(db, false),
    map: toGalleryImage,
  })
  return c.json(page, 200)
}


/** A gallery entry shows an image: the upload must exist and be one (not a PDF). */
async function checkImageUpload(db: Db, uploadId: number | undefined) {
  if (uploadId === undefined) return
  const mime = await service.findUploadMime(db, uploadId)
  if (!mime?.startsWith('image/')) {
    throw new Problem(422, 'The gallery can only show an uploaded image.', {
      type: 'not-an-image-upload',
      errors: [
        { path: 'upload_id', message: mime ? 'the upload is not an image' : 'no such upload' },
      ],
    })
  }
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { db } = c.var.deps.database
  const input = fromGalleryInput(c.req.valid('json'))
  await checkImageUpload(db, input.uploadId)
  const image = await service.createGalleryImage(db, {
    ...input,
    uploadId: input.uploadId!,
    title: input.title!,
    isPublic: input.isPublic!,
  })
  if (!image) throw notFound('gallery image')
  return c.json(toGalleryImage(image), 201)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { db } = c.var.deps.database
  const input = fromGalleryInput(c.req.valid('json'))
  await checkImageUpload(db, input.uploadId)
  const image = await service.updateGalleryImage(db, c.req.valid('param').id, input)
  if (!image) throw notFound('gallery image')
  return c.json(toGalleryImage(image), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const done = await service.deleteGalleryImage(c.var.deps.database.db, c.req.valid('param').id)
  if (!done) throw notFound('gallery image')
  return c.body(null, 204)
}
