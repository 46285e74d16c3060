import { createRouter } from '../../app/create-app'
import * as handlers from './items.handlers'
import * as routes from './items.routes'

export const itemsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.adminList, handlers.adminList)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
