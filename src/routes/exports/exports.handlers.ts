import type { AppRouteHandler } from '../../app/context'
import { collectAfterStreaming } from '../../app/memory/transient-bytes'
import { streamHeaders } from '../../http/stream-list'
import { whenLimitAllows } from '../../http/middleware/memory-guard'
import { openBookingsExport } from '../../services/exports/bookings-export'
import type * as routes from './exports.routes'

/** nginx's "client closed request": logged for an export whose client left while it waited. */
const CLIENT_CLOSED = 499

export const exportBookings: AppRouteHandler<typeof routes.exportBookings> = async (c) => {
  const { format, status, venue_id, user_id, from, to } = c.req.valid('query')
  const { database, logger, memory } = c.var.deps
  const filter = { status, venueId: venue_id, userId: user_id, from, to }
  const signal = c.req.raw.signal
  let body: ReadableStream<Uint8Array>
  try {
    body = await whenLimitAllows(c, () =>
      openBookingsExport(database, filter, format, {
        signal,
        onError: (err) => logger.error({ err, request_id: c.var.requestId }, 'stream failed'),
        onChunk: (bytes) => collectAfterStreaming(memory, bytes, 'exports'),
      }),
    )
  } catch (error) {
    if (!signal.aborted || error !== signal.reason) throw error
    return new Response(null, { status: CLIENT_CLOSED }) as never
  }
  const filename = `bookings-${new Date().toISOString().slice(0, 10)}`
  return new Response(body, { status: 200, headers: streamHeaders(format, filename) }) as never
}
