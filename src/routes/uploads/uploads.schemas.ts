import { z } from '@hono/zod-openapi'
import { uploads } from '../../db/schema'
import { jsonView } from '../../http/table-json'
import { createSelectSchema } from '../../http/table-schemas'
import type { UploadRow } from '../../services/uploads/uploads'

export const uploadUrl = (id: number) => `/api/uploads/${id}`

/** An upload as its owner sees it: where it is stored and who owns it stay inside. */
const Upload = jsonView(
  createSelectSchema(uploads, {
    originalName: (s) => s.openapi({ description: 'The client file name, sanitized; metadata only' }),
    mime: (s) => s.openapi({ description: 'Decided from the file content', example: 'image/png' }),
    sha256: (s) => s.openapi({ description: 'Hex SHA-256 of the content' }),
  }),
  {
    omit: ['userId', 'storedName'],
    computed: {
      url: {
        schema: z.string().openapi({ example: '/api/uploads/1' }),
        value: (row: UploadRow) => uploadUrl(row.id),
      },
    },
  },
)

export const UploadSchema = Upload.schema.openapi('Upload')

export const UploadBatchSchema = z.object({ items: z.array(UploadSchema) }).openapi('UploadBatch')

export const toUpload = Upload.toJson

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
