import { createRouter } from '../../app/create-app'
import { mountRoutes } from '../../http/mount-routes'
import * as admin from './admin-rack-orders.handlers'
import * as adminRoutes from './admin-rack-orders.routes'
import * as handlers from './rack-orders.handlers'
import * as routes from './rack-orders.routes'

const own = mountRoutes(createRouter(), routes, handlers, ['create', 'list', 'get', 'cancel'])
export const rackOrdersRouter = mountRoutes(own, adminRoutes, admin, ['list', 'get', 'update'])
