import { createRoute } from '../../http/create-route'
import { etag } from '../../http/middleware/etag'
import { adminErrors, json, jsonBody, notModified, problem } from '../../http/openapi-schemas'
import { PageQuery, pageOf } from '../../http/pagination'
import { IdParams } from '../../http/params'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../app/context'
import { requireAdmin } from '../../http/middleware/auth'
import { cachedResponse } from '../../http/middleware/response-cache'
import {
  GalleryCreate,
  GalleryImageSchema,
  GalleryUpdate,
  PublicGalleryImageSchema,
} from './gallery.schemas'

/** The public list is cached per query string; the admin writes below invalidate it. */
export const CACHE_NAMESPACE = 'gallery'

/** Browsers and CDNs may keep the public list a minute; set outside the cache so hits carry it. */
const publicForAMinute: MiddlewareHandler<AppEnv> = async function publicForAMinute(c, next) {
  await next()
  if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=60')
}

const admin = { tags: ['Admin: gallery'], security: [{ bearer: [] }], middleware: requireAdmin() }

export const publicList = createRoute({
  method: 'get',
  path: '/api/gallery/public',
  tags: ['Gallery'],
  summary: 'Public gallery images, by sort order',
  middleware: [etag(), publicForAMinute, cachedResponse(CACHE_NAMESPACE)] as const,
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(PublicGalleryImageSchema), 'A page of public images (cacheable for 60 s)'),
    ...notModified,
    400: problem('Invalid paging'),
  },
})

export const adminList = createRoute({
  method: 'get',
  path: '/api/admin/gallery',
  ...admin,
  summary: 'All gallery images, public or not',
  request: { query: PageQuery },
  responses: {
    200: json(pageOf(GalleryImageSchema), 'A page of gallery images'),
    400: problem('Invalid paging'),
    ...adminErrors,
  },
})

export const create = createRoute({
  method: 'post',
  path: '/api/admin/gallery',
  ...admin,
  summary: 'Put an uploaded image in the gallery',
  request: { body: jsonBody(GalleryCreate) },
  responses: {
    201: json(GalleryImageSchema, 'Created'),
    400: problem('Invalid fields'),
    ...adminErrors,
    422: problem('`upload_id` is not an uploaded image'),
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/api/admin/gallery/{id}',
  ...admin,
  summary: 'Change a gallery image',
  request: { params: IdParams, body: jsonBody(GalleryUpdate) },
  responses: {
    200: json(GalleryImageSchema, 'Updated'),
    400: problem('Invalid fields'),
    ...adminErrors,
    404: problem('No such gallery image'),
    422: problem('`upload_id` is not an uploaded image'),
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/api/admin/gallery/{id}',
  ...admin,
  summary: 'Take an image out of the gallery (the upload stays)',
  request: { params: IdParams },
  responses: {
    204: { description: 'Removed' },
    400: problem('Invalid id'),
    ...adminErrors,
    404: problem('No such gallery image'),
  },
})
