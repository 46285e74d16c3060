import { stringify } from 'csv-stringify/sync'

export type StreamFormat = 'ndjson' | 'csv' | 'json'

export const streamContentTypes: Record<StreamFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

interface StreamRowsOptions<Row, Rec extends Record<string, unknown>> {
  format: StreamFormat
  /** The next batch after the last row of the previous one (undefined at the start). */
  batch: (after: Row | undefined) => Promise<Row[]>
  toRecord: (row: Row) => Rec
  /** CSV header order (CSV only); nested values are written as JSON text. */
  columns?: (keyof Rec & string)[]
  /** Aborted when the client goes away; no further batch is read after that. */
  signal?: AbortSignal
  onError?: (error: unknown) => void
  /** Once, when the stream is over: read to the end, failed, or cancelled by its reader. */
  onDone?: () => void
}

const encoder = new TextEncoder()

const csvCell = (value: unknown) =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : value

/**
 * CRLF between records, and any cell holding a CR or a LF quoted (RFC 4180 allows neither bare;
 * csv-stringify, given a record delimiter, would quote only a whole CRLF).
 */
const csvOptions = { record_delimiter: 'windows', quote_record_delimiter: true } as const

/**
 * Streams a result set as NDJSON, CSV (RFC 4180) or a JSON array, one database batch per pull:
 * the stream asks for the next batch only when the client has taken the previous one, so a slow
 * reader holds back the database instead of filling memory, and a reader that leaves stops it.
 */
export function streamRows<Row, Rec extends Record<string, unknown>>(
  options: StreamRowsOptions<Row, Rec>,
): ReadableStream<Uint8Array> {
  const { format } = options
  const columns = options.columns ?? []
  let last: Row | undefined
  let started = false
  let done = false
  let count = 0
  const finish = () => {
    if (done) return
    done = true
    options.onDone?.()
  }

  const encode = (rows: Row[]): string => {
    const records = rows.map(options.toRecord)
    if (format === 'ndjson') return records.map((r) => `${JSON.stringify(r)}\n`).join('')
    if (format === 'csv') {
      return stringify(
        records.map((r) => columns.map((c) => csvCell(r[c]))),
        csvOptions,
      )
    }
    const body = records.map((r) => JSON.stringify(r)).join(',\n')
    const joined = count > 0 && body ? `,\n${body}` : body
    count += records.length
    return joined
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return
        try {
          let text = ''
          if (!started) {
            started = true
            if (format === 'csv') text += stringify([columns], csvOptions)
            if (format === 'json') text += '[\n'
          }
          if (options.signal?.aborted) {
            finish()
            controller.close()
            return
          }
          const rows = await options.batch(last)
          if (rows.length > 0) {
            last = rows.at(-1)
            text += encode(rows)
          } else {
            finish()
            if (format === 'json') text += '\n]\n'
          }
          if (text) controller.enqueue(encoder.encode(text))
          if (done) controller.close()
        } catch (error) {
          finish()
          options.onError?.(error)
          controller.error(error)
        }
      },
      cancel: finish,
    },
    { highWaterMark: 1 },
  )
}
