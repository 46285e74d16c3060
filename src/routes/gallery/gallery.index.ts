import { createRouter } from '../../app/create-app'
import * as handlers from './gallery.handlers'
import * as routes from './gallery.routes'

export const galleryRouter = createRouter()
  .openapi(routes.publicList, handlers.publicList)
  .openapi(routes.adminList, handlers.adminList)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
