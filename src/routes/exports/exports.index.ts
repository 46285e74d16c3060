import { createRouter } from '../../app/create-app'
import { lazyHandler } from '../../http/lazy-handler'
import { withPolicy } from '../../http/middleware/route-policy'
import * as routes from './exports.routes'

// The handler and the export's streaming (batches, COPY) load on the first export.
const handler = lazyHandler(() => import('./exports.handlers').then((m) => m.exportBookings))

// Its output grows with the table: shed from high memory on, like a write.
const path = routes.exportBookings.getRoutingPath()
export const exportsRouter = withPolicy(createRouter(), path, { guard: 'heavy' }).openapi(
  routes.exportBookings,
  handler,
)
