import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { galleryService } from '../../services/gallery/gallery'
import type * as routes from './gallery.routes'
import { GalleryImage, GalleryInput, PublicGalleryImage } from './gallery.schemas'

const handlers = crudHandlers({
  service: galleryService,
  toJson: GalleryImage.toJson,
  toPublicJson: PublicGalleryImage.toJson,
  fromCreate: GalleryInput.fromCreate,
  fromUpdate: GalleryInput.fromUpdate,
})

export const publicList: AppRouteHandler<typeof routes.publicList> = handlers.list
export const adminList: AppRouteHandler<typeof routes.adminList> = handlers.adminList
export const create: AppRouteHandler<typeof routes.create> = handlers.create
export const update: AppRouteHandler<typeof routes.update> = handlers.update
export const remove: AppRouteHandler<typeof routes.remove> = handlers.remove
