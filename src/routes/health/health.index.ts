import { createRouter } from '../../app/create-app'
import { withPolicy } from '../../http/middleware/route-policy'
import { metricsRouter } from '../metrics/metrics.index'
import * as handlers from './health.handlers'
import * as routes from './health.routes'

// /metrics rides with the health routes: both are for operators and never shed. Mounted ahead of
// the memory guard (src/app/build-app.ts); the policy says so to the access log and the document.
const router = withPolicy(createRouter(), '/api/health/*', { guard: 'health' })
export const healthRouter = withPolicy(router, '/metrics', { guard: 'health' })
  .openapi(routes.live, handlers.getLive)
  .openapi(routes.ready, handlers.getReady)
  .openapi(routes.memory, handlers.getMemory)
  .route('/', metricsRouter)
