import { createRouter } from '../../app/create-app'
import { mountRoutes } from '../../http/mount-routes'
import { metricsRouter } from '../metrics/metrics.index'
import * as handlers from './health.handlers'
import * as routes from './health.routes'

// /metrics rides with the health routes: both are for operators, mounted ahead of the memory
// guard (src/app/build-app.ts), and their routes declare guard class `health` for the access log
// and the document.
const health = mountRoutes(createRouter(), routes, handlers, ['live', 'ready', 'memory'])
export const healthRouter = health.route('/', metricsRouter)
