import { createRouter } from '../../app/create-app'
import { lazyHandler } from '../../http/lazy-handler'
import * as routes from './uploads.routes'

// The handlers, the multipart parser (busboy) and file serving load on the first uploads request.
const handlers = () => import('./uploads.handlers')

export const uploadsRouter = createRouter()
  .openapi(routes.create, lazyHandler(() => handlers().then((m) => m.create)))
  .openapi(routes.list, lazyHandler(() => handlers().then((m) => m.list)))
  .openapi(routes.get, lazyHandler(() => handlers().then((m) => m.get)))
