import { createRouter } from '../../lib/create-app'
import * as handlers from './exports.handlers'
import * as routes from './exports.routes'

export const exportsRouter = createRouter().openapi(routes.exportBookings, handlers.exportBookings)
