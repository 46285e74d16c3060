import { createRouter } from '../../app/create-app'
import { crudRouteNames } from '../../http/crud/crud-handlers'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './items.handlers'
import * as routes from './items.routes'

export const itemsRouter = mountRoutes(createRouter(), routes, handlers, crudRouteNames)
