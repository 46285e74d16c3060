import { dirname, join } from 'node:path'
import type { AppRouteHandler } from '../../app/context'
import type * as routes from './docs.routes'
import { DOCS_ASSETS_PATH, OPENAPI_PATH, type DocsAsset } from './docs.routes'
import pkg from '../../../package.json'
import { API_TITLE, type RenderedDocument } from './openapi-document'

// From node_modules at run time, so the page works without internet (and the bundle, which the
// image runs beside node_modules, finds them the same way).
const assetsDir = dirname(Bun.resolveSync('swagger-ui-dist/package.json', import.meta.dir))
const { version } = require('swagger-ui-dist/package.json') as { version: string }

const contentTypes: Record<DocsAsset, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

// The version in the URL: a deploy with another Swagger UI never meets a cached older file.
const asset = (name: DocsAsset) => `${DOCS_ASSETS_PATH}/${name}?v=${version}`

const pageHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${API_TITLE} reference</title>
    <link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}" />
    <link rel="stylesheet" href="${asset('swagger-ui.css')}" />
  </head>
  <body>
    <noscript>
      This page needs JavaScript. The OpenAPI document itself is at
      <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.
    </noscript>
    <div id="swagger-ui"></div>
    <script src="${asset('swagger-ui-bundle.js')}"></script>
    <script>
      window.ui = SwaggerUIBundle({
        dom_id: '#swagger-ui',
        url: '${OPENAPI_PATH}',
        deepLinking: true,
      })
    </script>
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

export const getAsset: AppRouteHandler<typeof routes.asset> = (c) => {
  const { file } = c.req.valid('param')
  return c.body(Bun.file(join(assetsDir, file)).stream(), 200, {
    'Content-Type': contentTypes[file],
    'Cache-Control': 'public, max-age=86400',
  })
}

export const getHome: AppRouteHandler<typeof routes.home> = (c) =>
  c.json(
    {
      name: API_TITLE,
      version: pkg.version,
      docs: '/api/docs',
      openapi: OPENAPI_PATH,
      status: '/status',
      health: '/api/health',
    },
    200,
  )
