import { z } from '@hono/zod-openapi'
import { createRoute } from '../../http/create-route'
import { etag } from '../../http/middleware/etag'
import { notModified, problem } from '../../http/openapi-schemas'

const tags = ['Docs']

export const OPENAPI_PATH = '/api/openapi.json'
export const DOCS_ASSETS_PATH = '/api/docs/assets'

const DocsAssetName = z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'])
export type DocsAsset = z.infer<typeof DocsAssetName>

const OpenAPIDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .openapi('OpenAPIDocument', { description: 'An OpenAPI 3.1 document' })

export const document = createRoute({
  method: 'get',
  path: OPENAPI_PATH,
  tags,
  summary: 'This API described as OpenAPI 3.1',
  description:
    'Generated from the same schemas the routes validate with. It only changes with a deploy: ' +
    'revalidate with `If-None-Match` and the ETag.',
  middleware: etag(),
  responses: {
    200: {
      description: 'The OpenAPI document',
      content: { 'application/json': { schema: OpenAPIDocumentSchema } },
    },
    ...notModified,
  },
})

export const page = createRoute({
  method: 'get',
  path: '/api/docs',
  tags,
  summary: 'Interactive API reference (Swagger UI)',
  description:
    `An HTML page that renders \`${OPENAPI_PATH}\` with Swagger UI, whose script and stylesheet ` +
    `the API serves itself (\`${DOCS_ASSETS_PATH}\`): the page works without internet access.`,
  responses: {
    200: {
      description: 'The reference page',
      content: { 'text/html': { schema: z.string() } },
    },
  },
})

export const asset = createRoute({
  method: 'get',
  path: `${DOCS_ASSETS_PATH}/{file}`,
  tags,
  summary: "The reference page's script, stylesheet and icon (Swagger UI)",
  request: { params: z.object({ file: DocsAssetName }) },
  responses: {
    200: { description: 'The file', content: { '*/*': { schema: z.string() } } },
    400: problem('No such file'),
  },
})

const HomeSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    docs: z.string(),
    openapi: z.string(),
    status: z.string(),
    health: z.string(),
  })
  .openapi('Home', {
    example: {
      name: 'Venue booking API',
      version: '0.1.0',
      docs: '/api/docs',
      openapi: '/api/openapi.json',
      status: '/status',
      health: '/api/health',
    },
  })

export const home = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Where to start: the reference page, the OpenAPI document, the status page',
  responses: {
    200: { description: 'Links', content: { 'application/json': { schema: HomeSchema } } },
  },
})
