import type { AppRouteHandler } from '../../lib/context'
import { collectAfterStreaming } from '../../lib/memory/transient-bytes'
import { streamHeaders } from '../../lib/stream-list'
import { openBookingsExport } from '../../services/exports/export-stream'
import type * as routes from './exports.routes'

export const exportBookings: AppRouteHandler<typeof routes.exportBookings> = async (c) => {
  const { format, status, venue_id, user_id, from, to } = c.req.valid('query')
  const { database, logger, memory } = c.var.deps
  const filter = { status, venueId: venue_id, userId: user_id, from, to }
  const body = await openBookingsExport(database, filter, format, {
    signal: c.req.raw.signal,
    onError: (error) => logger.error({ err: error, request_id: c.var.requestId }, 'stream failed'),
    onChunk: (bytes) => collectAfterStreaming(memory, bytes, 'exports'),
  })
  const filename = `bookings-${new Date().toISOString().slice(0, 10)}`
  return new Response(body, { status: 200, headers: streamHeaders(format, filename) }) as never
}
