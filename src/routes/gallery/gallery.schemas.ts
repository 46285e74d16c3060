import { z } from '@hono/zod-openapi'
import { iso } from '../../lib/serialize'
import type { GalleryRow } from '../../services/gallery/gallery'
import { uploadUrl } from '../uploads/uploads.schemas'

export const PublicGalleryImageSchema = z
  .object({
    id: z.number().int(),
    upload_id: z.number().int(),
    title: z.string(),
    caption: z.string(),
    sort_order: z.number().int(),
    url: z.string().openapi({ example: '/api/uploads/1' }),
    mime: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('PublicGalleryImage')

export const GalleryImageSchema = PublicGalleryImageSchema.extend({
  is_public: z.boolean(),
  updated_at: z.string().openapi({ format: 'date-time' }),
}).openapi('GalleryImage')

export const toPublicGalleryImage = (g: GalleryRow) => ({
  id: g.id,
  upload_id: g.uploadId,
  title: g.title,
  caption: g.caption,
  sort_order: g.sortOrder,
  url: uploadUrl(g.uploadId),
  mime: g.mime,
  created_at: iso(g.createdAt),
})

export const toGalleryImage = (g: GalleryRow) => ({
  ...toPublicGalleryImage(g),
  is_public: g.isPublic,
  updated_at: iso(g.updatedAt),
})

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

export const GalleryCreate = z
  .object({
    upload_id: id.openapi({ description: 'An image upload (JPEG, PNG, WebP or GIF)' }),
    title: z.string().trim().min(1).max(200),
    caption: z.string().max(2000).optional(),
    is_public: z.boolean(),
    sort_order: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  })
  .strict()
  .openapi('GalleryImageCreate')

export const GalleryUpdate = GalleryCreate.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required')
  .openapi('GalleryImageUpdate')

export const fromGalleryInput = (v: Partial<z.infer<typeof GalleryCreate>>) => ({
  uploadId: v.upload_id,
  title: v.title,
  caption: v.caption,
  isPublic: v.is_public,
  sortOrder: v.sort_order,
})
