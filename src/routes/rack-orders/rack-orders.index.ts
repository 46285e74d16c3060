import { createRouter } from '../../app/create-app'
import * as admin from './admin-rack-orders.handlers'
import * as adminRoutes from './admin-rack-orders.routes'
import * as handlers from './rack-orders.handlers'
import * as routes from './rack-orders.routes'

export const rackOrdersRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(adminRoutes.list, admin.list)
  .openapi(adminRoutes.get, admin.get)
  .openapi(adminRoutes.update, admin.update)
