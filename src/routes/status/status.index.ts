import { createRouter } from '../../app/create-app'
import { lazyHandler } from '../../http/lazy-handler'
import * as routes from './status.routes'

// The page (hono's JSX), its stream and history load when an operator first opens the page.
const handlers = () => import('./status.handlers')

/**
 * The operators' live page, its event stream and the history it draws on open; guarded by
 * METRICS_TOKEN like /metrics.
 */
export const statusRouter = createRouter()
  .openapi(routes.page, lazyHandler(() => handlers().then((m) => m.getPage)))
  .openapi(routes.stream, lazyHandler(() => handlers().then((m) => m.getStream)))
  .openapi(routes.history, lazyHandler(() => handlers().then((m) => m.getHistory)))
