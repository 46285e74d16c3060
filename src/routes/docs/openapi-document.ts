import { createHash } from 'node:crypto'
import type { OpenAPIHono } from '@hono/zod-openapi'
import pkg from '../../../package.json'
import { shedResponse } from '../../http/openapi-schemas'
import { policyOfPath } from '../../http/middleware/route-policy'

export const API_TITLE = 'Venue booking API'

const description = `
Book venues (sports halls, studios, courts) for a time slot and rent items with them, enrol in
regular programs, buy from the shop rack, browse the public gallery; staff run it from
\`/api/admin\`.

- **Auth**: \`Authorization: Bearer <token>\` with the \`token\` from \`POST /api/auth/login\`
  (\`POST /api/auth/register\` answers 202 without one, whether or not the email was new; log in
  next). Failed logins and registrations are limited per address: 429 with \`Retry-After\`. A
  missing or invalid token is 401 (with \`WWW-Authenticate\`); a non-admin on \`/api/admin/*\`
  is 403; another user's booking, order or upload is 404.
- **Errors** are RFC 9457 \`application/problem+json\`: \`{type, title, status, detail, errors?}\`,
  where \`errors\` lists each invalid field as \`{path, message}\`.
- **Lists** take \`page\` and \`page_size\` (1 to 100) and answer \`{items, pagination}\`;
  \`pagination.next_cursor\`, passed back as \`cursor\`, pages by keyset, and \`Link: rel="next"\`
  points at the next page.
- **Values**: instants are RFC 3339 and must carry an offset (answers are UTC), money is integer
  cents, ids are numbers, fields are snake_case.
- **Retries**: creates accept an \`Idempotency-Key\`; reusing one with another body is 422.
- **Load**: under memory pressure the service answers 503 with \`Retry-After\` rather than fail.
`.trim()

export interface RenderedDocument {
  body: string
  etag: string
}

/**
 * The app's OpenAPI 3.1 document, serialized with its ETag. It is built on first use, when every
 * router has been mounted and merged its routes into the app's registry, and then kept: routes do
 * not change while the process runs.
 */
export function documentRenderer(app: OpenAPIHono<any, any, any>): () => RenderedDocument {
  let rendered: RenderedDocument | undefined
  return () => {
    if (!rendered) {
      const document = app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: API_TITLE, version: pkg.version, description },
      })
      const body = JSON.stringify(withShedResponses(document, app))
      const hash = createHash('sha256').update(body).digest('base64url')
      rendered = { body, etag: `"${hash}"` }
    }
    return rendered
  }
}

/**
 * The memory guard's 503 on every operation that does not declare a 503 of its own: it sits in
 * front of every route but those of guard class `health`, so no route's definition names it.
 */
function withShedResponses<D extends { paths?: Record<string, unknown> }>(
  document: D,
  app: OpenAPIHono<any, any, any>,
): D {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (policyOfPath(app.routes, path).guard === 'health') continue
    for (const operation of Object.values(item as Record<string, any>)) {
      if (operation?.responses && !operation.responses['503']) {
        operation.responses['503'] = shedResponse
      }
    }
  }
  return document
}
