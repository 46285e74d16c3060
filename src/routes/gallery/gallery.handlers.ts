import { crudHandlers } from '../../http/crud/crud-handlers'
import { galleryService } from '../../services/gallery/gallery'
import { GalleryImage, GalleryInput, PublicGalleryImage } from './gallery.schemas'

export const {
  list: publicList,
  adminList,
  create,
  update,
  remove,
} = crudHandlers({
  service: galleryService,
  toJson: GalleryImage.toJson,
  toPublicJson: PublicGalleryImage.toJson,
  fromCreate: GalleryInput.fromCreate,
  fromUpdate: GalleryInput.fromUpdate,
})
