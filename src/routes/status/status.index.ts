import { createRouter } from '../../lib/create-app'
import * as handlers from './status.handlers'
import * as routes from './status.routes'

/** The operators' live page and its event stream; guarded by METRICS_TOKEN like /metrics. */
export const statusRouter = createRouter()
  .openapi(routes.page, handlers.getPage)
  .openapi(routes.stream, handlers.getStream)
