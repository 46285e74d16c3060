import { createRouter } from '../../app/create-app'
import * as handlers from './metrics.handlers'
import * as routes from './metrics.routes'

export const metricsRouter = createRouter().openapi(routes.scrape, handlers.getMetrics)
