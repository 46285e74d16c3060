import { z } from '@hono/zod-openapi'
import { iso } from '../../lib/serialize'
import type { UploadRow } from '../../services/uploads/uploads'

export const UploadSchema = z
  .object({
    id: z.number().int(),
    original_name: z
      .string()
      .openapi({ description: 'The client file name, sanitized; metadata only' }),
    mime: z
      .string()
      .openapi({ description: 'Decided from the file content', example: 'image/png' }),
    size_bytes: z.number().int(),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the content' }),
    url: z.string().openapi({ example: '/api/uploads/1' }),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Upload')

export const UploadBatchSchema = z.object({ items: z.array(UploadSchema) }).openapi('UploadBatch')

export const uploadUrl = (id: number) => `/api/uploads/${id}`

export const toUpload = (u: UploadRow) => ({
  id: u.id,
  original_name: u.originalName,
  mime: u.mime,
  size_bytes: u.sizeBytes,
  sha256: u.sha256,
  url: uploadUrl(u.id),
  created_at: iso(u.createdAt),
})

/**
 * Described as a plain OpenAPI schema on purpose: a zod schema here would make the router
 * validate the form by buffering the whole body, which the upload handler streams instead.
 */
export const uploadForm = {
  type: 'object' as const,
  required: ['files'],
  properties: {
    files: {
      type: 'array' as const,
      items: { type: 'string' as const, format: 'binary' },
      description:
        'One to UPLOAD_MAX_FILES files: JPEG, PNG, WebP, GIF or PDF, each up to UPLOAD_MAX_FILE_MB',
    },
  },
}
