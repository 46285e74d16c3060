import { SwaggerUI } from '@hono/swagger-ui'
import type { AppRouteHandler } from '../../lib/context'
import type * as routes from './docs.routes'
import { OPENAPI_PATH } from './docs.routes'
import { API_TITLE, type RenderedDocument } from './openapi-document'

// Pinned so the page a reader gets cannot change under us when the CDN's "latest" moves.
const SWAGGER_UI_VERSION = '5.35.0'

const pageHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${API_TITLE} reference</title>
  </head>
  <body>
    <noscript>
      This page needs JavaScript. The OpenAPI document itself is at
      <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.
    </noscript>
    ${SwaggerUI({ url: OPENAPI_PATH, version: SWAGGER_UI_VERSION, deepLinking: true })}
  </body>
</html>
`

export const getDocument =
  (rendered: () => RenderedDocument): AppRouteHandler<typeof routes.document> =>
  (c) => {
    const { body, etag } = rendered()
    // no-cache: clients keep a copy but revalidate it, so a deploy is seen at once (304 otherwise).
    return c.body(body, 200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache',
      ETag: etag,
    })
  }

export const getPage: AppRouteHandler<typeof routes.page> = (c) => c.html(pageHtml, 200)
