import { createRouter } from '../../app/create-app'
import { lazyHandler } from '../../http/lazy-handler'
import { withPolicy } from '../../http/middleware/route-policy'
import * as routes from './uploads.routes'

// The handlers, the multipart parser (busboy) and file serving load on the first uploads request.
const handlers = () => import('./uploads.handlers')

// Heavy (files in and out), and the route streams its body to disk under limits of its own.
const policy = { guard: 'heavy', body: 'stream' } as const
export const uploadsRouter = withPolicy(createRouter(), '/api/uploads/*', policy)
  .openapi(routes.create, lazyHandler(() => handlers().then((m) => m.create)))
  .openapi(routes.list, lazyHandler(() => handlers().then((m) => m.list)))
  .openapi(routes.get, lazyHandler(() => handlers().then((m) => m.get)))
