import { createRouter } from '../../lib/create-app'
import * as handlers from './uploads.handlers'
import * as routes from './uploads.routes'

export const uploadsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
