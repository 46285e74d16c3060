import type { Context } from 'hono'
import type { AppEnv } from '../app/context'
import { keysetWindow, type Keyset, type PageWindow } from '../db/keyset'
import { streamContentTypes, streamRows, type StreamFormat } from '../db/stream-rows'

export const NDJSON = 'application/x-ndjson'

/** Big lists stream every match as NDJSON when asked to; JSON pages stay the default. */
export const wantsNdjson = (c: Context) => (c.req.header('Accept') ?? '').includes(NDJSON)

/** The 200 response entry a streamable list adds to its OpenAPI document. */
export const ndjsonContent = {
  [NDJSON]: { schema: { type: 'string' as const, description: 'One JSON object per line' } },
}

interface StreamListOptions<Row, Rec extends Record<string, unknown>> {
  format?: StreamFormat
  /** CSV column order. */
  columns?: (keyof Rec & string)[]
  /** Sent as an attachment with this file name (the extension is the format's). */
  filename?: string
  keyset: Keyset<Row>
  rows: (window: PageWindow) => Promise<Row[]>
  /** Turns a row into its record; rows already in their wire form go as they are. */
  map?: (row: Row) => Rec
  batchSize?: number
}

/**
 * Streams every row a paginated list would walk through, in the list's own keyset order, one
 * batch per pull (NDJSON, CSV or a JSON array): memory stays flat whatever the number of matches.
 */
export function streamList<Row, Rec extends Record<string, unknown>>(
  c: Context<AppEnv>,
  options: StreamListOptions<Row, Rec>,
): Response {
  const size = options.batchSize ?? 1000
  const format = options.format ?? 'ndjson'
  const body = streamRows<Row, Rec>({
    format,
    columns: options.columns,
    toRecord: options.map ?? ((row) => row as unknown as Rec),
    signal: c.req.raw.signal,
    batch: (last) =>
      options.rows(keysetWindow(options.keyset, last && options.keyset.key(last), size)),
    onError: (error) =>
      c.var.deps.logger.error({ err: error, request_id: c.var.requestId }, 'stream failed'),
  })
  return new Response(body, { status: 200, headers: streamHeaders(format, options.filename) })
}

/** The headers of a streamed list; with a file name, it is sent as that attachment. */
export function streamHeaders(format: StreamFormat, filename?: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': streamContentTypes[format],
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  }
  if (filename) headers['Content-Disposition'] = `attachment; filename="${filename}.${format}"`
  return headers
}
