import { createRouter } from '../../app/create-app'
import { lazyHandler } from '../../http/lazy-handler'
import * as routes from './exports.routes'

// The handler and the export's streaming (batches, COPY) load on the first export.
const handler = lazyHandler(() => import('./exports.handlers').then((m) => m.exportBookings))

export const exportsRouter = createRouter().openapi(routes.exportBookings, handler)
