import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Schema } from 'hono'
import type { AppEnv } from '../../app/context'
import { lazyHandler } from '../../http/lazy-handler'
import * as routes from './docs.routes'
import { documentRenderer } from './openapi-document'

/**
 * Serves the OpenAPI document and its reference page from the root app. Call it last: the
 * document describes whatever the app's registry holds when it is first requested, and every
 * `.route()` merges its router's routes into that registry as it is mounted.
 *
 * @example
 * const app = withDocs(createApp(deps).route('/', venuesRouter))
 */
export function withDocs<S extends Schema>(app: OpenAPIHono<AppEnv, S>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `token` answered by POST /api/auth/login',
  })
  // The handlers, the reference page and its assets' paths load on their first request.
  const handlers = () => import('./docs.handlers')
  const rendered = documentRenderer(app)
  return app
    .openapi(routes.document, lazyHandler(() => handlers().then((m) => m.getDocument(rendered))))
    .openapi(routes.page, lazyHandler(() => handlers().then((m) => m.getPage)))
    .openapi(routes.asset, lazyHandler(() => handlers().then((m) => m.getAsset)))
    .openapi(routes.home, lazyHandler(() => handlers().then((m) => m.getHome)))
}
