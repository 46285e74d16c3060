import { etag } from '../../http/middleware/etag'
import { createRouter } from '../../app/create-app'
import { crudRouteNames } from '../../http/crud/crud-handlers'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './venues.handlers'
import * as routes from './venues.routes'

export const venuesRouter = createRouter()
venuesRouter.use('/api/venues', etag())
venuesRouter.use('/api/venues/*', etag())

export const venuesRoutes = mountRoutes(venuesRouter, routes, handlers, crudRouteNames)
