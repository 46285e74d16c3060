import { etag } from 'hono/etag'
import { createRouter } from '../../app/create-app'
import * as handlers from './venues.handlers'
import * as routes from './venues.routes'

export const venuesRouter = createRouter()
venuesRouter.use('/api/venues', etag())
venuesRouter.use('/api/venues/*', etag())

export const venuesRoutes = venuesRouter
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.adminList, handlers.adminList)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
