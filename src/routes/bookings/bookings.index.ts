import { createRouter } from '../../app/create-app'
import * as admin from './admin-bookings.handlers'
import * as adminRoutes from './admin-bookings.routes'
import * as handlers from './bookings.handlers'
import * as routes from './bookings.routes'

// Literal paths come before their {id} siblings: Hono matches in registration order.
export const bookingsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.programs, handlers.programs)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.change, handlers.change)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(adminRoutes.list, admin.list)
  .openapi(adminRoutes.today, admin.today)
  .openapi(adminRoutes.items, admin.items)
  .openapi(adminRoutes.update, admin.update)
