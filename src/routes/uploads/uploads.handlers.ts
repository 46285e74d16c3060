import type { AppRouteHandler } from '../../app/context'
import { paginate } from '../../http/pagination'
import { notFound } from '../../http/problem'
import { collectAfterStreaming } from '../../app/memory/transient-bytes'
import { contentDisposition } from '../../http/uploads/content-disposition'
import { fileResponse } from '../../http/uploads/file-response'
import { uploadLimits } from '../../services/uploads/limits'
import { receiveFiles } from '../../http/uploads/multipart-files'
import { uploadStore } from '../../services/uploads/upload-store'
import { requireUser } from '../../http/middleware/auth'
import { uploads } from '../../db/schema'
import { saveUploads } from '../../services/uploads/save-uploads'
import * as service from '../../services/uploads/uploads'
import type * as routes from './uploads.routes'
import { toUpload } from './uploads.schemas'

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { env, database, memory } = c.var.deps
  const store = await uploadStore(env.UPLOAD_DIR)
  const files = await receiveFiles(c.req.raw, {
    limits: uploadLimits(env),
    onFile: (part) => store.receive(part),
    discard: (file) => store.remove(file.tempPath),
    onRead: (bytes) => collectAfterStreaming(memory, bytes, 'uploads'),
  })
  const rows = await saveUploads(database.db, store, c.var.user.id, files)
  return c.json({ items: rows.map(toUpload) }, 201)
}

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { db } = c.var.deps.database
  const userId = c.var.user.id
  const page = await paginate(c, {
    query: c.req.valid('query'),
    keyset: {
      sort: uploads.id,
      id: uploads.id,
      direction: 'desc',
      key: (u: service.UploadRow) => [u.id, u.id],
    },
    rows: (window) => service.listUserUploads(db, userId, window),
    total: (upTo) => service.countUserUploads(db, userId, upTo),
    map: toUpload,
  })
  return c.json(page, 200)
}

const noop = async () => {}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { env, database, logger } = c.var.deps
  const upload = await service.findUpload(database.db, c.req.valid('param').id)
  if (!upload?.isPublic) {
    // Private files need a token; without one nobody learns whether the id exists.
    await requireUser()(c, noop)
    const user = c.var.user
    if (!upload || (upload.userId !== user.id && user.role !== 'admin')) throw notFound('upload')
  }
  const store = await uploadStore(env.UPLOAD_DIR)
  const path = store.pathOf(upload.storedName)
  const file = Bun.file(path)
  if (!(await file.exists())) {
    logger.error({ upload_id: upload.id, path }, 'upload file missing from UPLOAD_DIR')
    throw notFound('upload')
  }
  const response = fileResponse(c.req.raw, {
    path,
    size: file.size,
    mime: upload.mime,
    etag: `"${upload.sha256}"`,
    disposition: contentDisposition(
      upload.mime === 'application/pdf' ? 'attachment' : 'inline',
      upload.originalName,
    ),
    cacheControl: upload.isPublic ? 'public, max-age=60' : 'private, no-cache',
  })
  return response as never
}
