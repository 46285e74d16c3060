import { z } from '@hono/zod-openapi'
import { galleryImages, uploads } from '../../db/schema'
import { jsonInput, jsonView, requiring, serverManaged } from '../../http/table-json'
import { createInsertSchema, createSelectSchema } from '../../http/table-schemas'
import { uploadUrl } from '../uploads/uploads.schemas'

const GalleryRow = createSelectSchema(galleryImages).extend({
  mime: createSelectSchema(uploads).shape.mime,
})

const computed = {
  url: {
    schema: z.string().openapi({ example: '/api/uploads/1' }),
    value: (row: z.output<typeof GalleryRow>) => uploadUrl(row.uploadId),
  },
}

export const GalleryImage = jsonView(GalleryRow, { computed })
export const GalleryImageSchema = GalleryImage.schema.openapi('GalleryImage')

/** What anyone may see of a public image. */
export const PublicGalleryImage = jsonView(GalleryRow, {
  computed,
  omit: ['isPublic', 'updatedAt'],
})
export const PublicGalleryImageSchema = PublicGalleryImage.schema.openapi('PublicGalleryImage')

const GalleryFields = createInsertSchema(galleryImages, {
  uploadId: (s) => s.min(1).openapi({ description: 'An image upload (JPEG, PNG, WebP or GIF)' }),
  title: (s) => s.trim().min(1).max(200),
  caption: (s) => s.max(2000),
  sortOrder: (s) => s.min(-1_000_000).max(1_000_000),
}).omit(serverManaged)

// The table hides a new entry by default; the API asks for the choice on create.
export const GalleryInput = jsonInput(requiring(GalleryFields, ['isPublic']))
export const GalleryCreate = GalleryInput.create.openapi('GalleryImageCreate')
export const GalleryUpdate = GalleryInput.update.openapi('GalleryImageUpdate')
