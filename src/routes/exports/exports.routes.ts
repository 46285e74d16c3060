import { createRoute } from '../../http/create-route'
import { requireAdmin } from '../../http/middleware/auth'
import { adminErrors, problem } from '../../http/openapi-schemas'
import { ExportQuery } from '../bookings/bookings.schemas'

const streamed = (type: string) => ({ schema: { type: 'string' as const } , example: type })

export const exportBookings = createRoute({
  // Its output grows with the table: shed from high memory on, like a write. Declared on the route
  // (its GET), not as a middleware on the path, which would sit beside PATCH {id} for every method
  // and push hono off its RegExpRouter.
  policy: { guard: 'heavy' },
  method: 'get',
  path: '/api/admin/bookings/export',
  tags: ['Admin: bookings'],
  summary: 'Stream every matching booking (with venue name and user email)',
  description:
    'Streamed with back-pressure (on PostgreSQL by COPY, on PGlite from keyset batches; the ' +
    'bytes are the same); gzip when the client accepts it. CSV follows RFC 4180 (CRLF, cells ' +
    'with commas, quotes or line breaks quoted); nested items are JSON text in CSV. A few ' +
    'exports stream at once (half the database pool); the next ones wait their turn, and past ' +
    '64 waiting or 30 s of waiting the answer is 503 with Retry-After.',
  security: [{ bearer: [] }],
  middleware: requireAdmin(),
  request: { query: ExportQuery },
  responses: {
    200: {
      description: 'The bookings as an attachment',
      content: {
        'application/x-ndjson': streamed('ndjson'),
        'text/csv': streamed('csv'),
        'application/json': streamed('json'),
      },
    },
    400: problem('Invalid filters'),
    ...adminErrors,
    503: problem('Too many exports waiting; see Retry-After'),
  },
})
