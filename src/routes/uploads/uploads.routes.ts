import { createRoute } from '../../http/create-route'
import { json, problem, userErrors } from '../../http/openapi-schemas'
import { PageQuery, pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import { requireUser } from '../../http/middleware/auth'
import { UploadBatchSchema, UploadSchema, uploadForm } from './uploads.schemas'

const tags = ['Uploads']
const user = { tags, security: [{ bearer: [] }], middleware: requireUser() }

export const create = createRoute({
  method: 'post',
  path: '/api/uploads',
  ...user,
  summary: 'Upload files (multipart, field `files`), streamed to disk',
  description:
    'All or nothing: if any file is refused, none is kept. Content the caller already uploaded ' +
    'answers with the existing upload instead of a copy.',
  request: {
    body: { required: true, content: { 'multipart/form-data': { schema: uploadForm } } },
  },
  responses: {
    201: json(UploadBatchSchema, 'The stored uploads, in the order sent'),
    400: problem('No `files` field, another file field, or a malformed body'),
    ...userErrors,
    413: problem('Too many files, a file too large, or the request too large'),
    415: problem('Not multipart, or a file that is not JPEG, PNG, WebP, GIF or PDF by its content'),
  },
})

export const list = createRoute({
  method: 'get',
  path: '/api/uploads',
  ...user,
  summary: "The caller's uploads, newest first",
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(UploadSchema), 'A page of uploads'),
    400: problem('Invalid paging'),
    ...userErrors,
  },
})

const binary = { schema: { type: 'string' as const, format: 'binary' } }
const fileContent = {
  'image/jpeg': binary,
  'image/png': binary,
  'image/webp': binary,
  'image/gif': binary,
  'application/pdf': binary,
}

export const get = createRoute({
  method: 'get',
  path: '/api/uploads/{id}',
  tags,
  summary: 'The file of an upload (owner or admin; anyone when it is in the public gallery)',
  description: 'Supports ETag/If-None-Match and a single `Range: bytes=a-b`.',
  // The empty requirement marks the token optional: public gallery images need none.
  security: [{ bearer: [] }, {} as Record<string, string[]>],
  request: { params: IdParams },
  responses: {
    200: { description: 'The file', content: fileContent },
    206: { description: 'The requested byte range', content: fileContent },
    304: { description: 'Not modified (matches If-None-Match)' },
    400: problem('Invalid id'),
    ...userErrors,
    404: problem('No such upload, or not yours'),
    416: problem('The range is outside the file'),
  },
})
