import { createRoute, z } from '@hono/zod-openapi'
import { etag } from 'hono/etag'
import { notModified } from '../../lib/openapi-schemas'

const tags = ['Docs']

export const OPENAPI_PATH = '/api/openapi.json'

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
    `An HTML page that renders \`${OPENAPI_PATH}\`. The page loads Swagger UI's script and ` +
    'stylesheet from a public CDN (cdn.jsdelivr.net) in the browser, so the reader needs internet ' +
    'access; the API itself serves only the HTML shell and the document.',
  responses: {
    200: {
      description: 'The reference page',
      content: { 'text/html': { schema: z.string() } },
    },
  },
})
