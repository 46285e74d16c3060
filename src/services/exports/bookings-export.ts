import { and, eq, is, SQL, sql } from 'drizzle-orm'
import { PgDialect, type PgColumn } from 'drizzle-orm/pg-core'
import type postgres from 'postgres'
import type { Database, Db } from '../../db/client'
import { asIs, csvCrlf, jsonArrayFromLines } from '../../db/copy-encoders'
import { copyStream } from '../../db/copy-stream'
import { keysetWindow, type Keyset, type PageWindow } from '../../db/keyset'
import { bookingItems, bookings, users, venues } from '../../db/schema'
import { inlineParams } from '../../db/sql-literal'
import { streamRows, type StreamFormat } from '../../db/stream-rows'
import { concurrencyLimit, type ConcurrencyLimit } from '../../lib/concurrency-limit'
import {
  bookingFields,
  bookingItemFields,
  type BookingItem,
  type BookingRecord,
} from '../bookings/booking-columns'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'

// The booking export, start to end: its fields (the booking's field list and what the export
// adds), the COPY that streams them on PostgreSQL, the keyset batches that stream the same bytes
// on PGlite, and the turns exports take.

/** One exported booking: every booking field, its items, its venue's name and user's email. */
export type ExportRecord = BookingRecord & {
  user_email: string
  venue_name: string
  items: BookingItem[]
}
export type ExportColumn = keyof ExportRecord & string

type Field = SQL | SQL.Aliased | PgColumn

/** Fields as a select list of `expression as name`: a field already named gives its expression. */
const asSelectList = (fields: Record<string, Field>) =>
  sql.join(
    Object.entries(fields).map(([name, field]) => {
      const expression = is(field, SQL.Aliased) ? field.sql : field
      return sql`${expression} as ${sql.identifier(name)}`
    }),
    sql`, `,
  )

/**
 * A booking's items as JSON text, in id order, `[]` when it has none: one probe of
 * booking_items_booking_id_idx per booking. string_agg of row_to_json rather than json_agg,
 * whose output has a space and a newline between elements, unlike JSON.stringify.
 */
const itemsJson = sql`coalesce((
  select '[' || string_agg(row_to_json(i)::text, ',' order by i.id) || ']'
    from (select ${asSelectList(bookingItemFields)}
            from ${bookingItems}
           where ${bookingItems.bookingId} = ${bookings.id}) i), '[]')`

/** What the export adds to the booking fields, each after the field it belongs with. */
const added: Record<string, Record<string, Field>> = {
  user_id: { user_email: users.email },
  venue_id: { venue_name: venues.name },
  // json, not text, so that row_to_json nests the array and the driver parses it.
  notes: { items: sql`${itemsJson}::json` },
}

/**
 * The export's fields as SQL, in the order every format writes them: the booking's field list,
 * with what `added` names. In CSV (`csv`: the COPY writes cells, not JSON) PostgreSQL quotes an
 * empty string to tell it from NULL where csv-stringify writes nothing, so text cells turn ''
 * into NULL there, and the items stay JSON text.
 */
export function exportFields(format: 'json' | 'csv'): Record<ExportColumn, Field> {
  const cell = (field: Field) =>
    format === 'csv' && 'getSQLType' in field && field.getSQLType() === 'text'
      ? sql`nullif(${field}, '')`
      : field
  const fields: Record<string, Field> = {}
  for (const [name, field] of Object.entries(bookingFields as Record<string, Field>)) {
    fields[name] = cell(field)
    for (const [extra, value] of Object.entries(added[name] ?? {})) {
      fields[extra] = extra === 'items' && format === 'csv' ? itemsJson : cell(value)
    }
  }
  return fields as Record<ExportColumn, Field>
}

/** The export's select list, for the COPY statement. */
const exportSelectList = (format: 'json' | 'csv') => asSelectList(exportFields(format))

/** The CSV header: the fields in their order. */
export const exportColumns = Object.keys(exportFields('json')) as ExportColumn[]

/** The bookings and what the export joins to them. */
const exportFrom = sql`${bookings}
  inner join ${venues} on ${venues.id} = ${bookings.venueId}
  inner join ${users} on ${users.id} = ${bookings.userId}`

/** Earliest first, on bookings_start_datetime_idx (start_datetime, id), which serves from/to too. */
export const exportOrder: Keyset<ExportRecord> = {
  sort: bookings.startDatetime,
  id: bookings.id,
  direction: 'asc',
  sortType: 'timestamptz',
  key: (b) => [b.start_datetime, b.id],
}

const BATCH_SIZE = 2000
const jsonFields = exportFields('json')

/**
 * One batch of the export, each row already its record (the COPY's select, read by the driver):
 * the admin list's filters, in the export's order. Each batch is a short query, so nothing is
 * held open between batches and a client that leaves simply stops the next one.
 */
export function exportBatch(
  db: Db,
  filter: AdminFilter,
  window: PageWindow,
): Promise<ExportRecord[]> {
  return db
    .select(jsonFields)
    .from(bookings)
    .innerJoin(venues, eq(venues.id, bookings.venueId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(and(adminWhere(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit) as unknown as Promise<ExportRecord[]>
}

export interface ExportStreamOptions {
  /** Aborted when the client goes away. */
  signal?: AbortSignal
  onError?: (error: unknown) => void
  /** Each chunk's size as it is handed to the body (COPY path). */
  onChunk?: (bytes: number) => void
  /** Once the export is over, however it ended. */
  onDone?: () => void
}

/**
 * The export from keyset batches of 2,000, encoded here: what runs where COPY is not available
 * (PGlite). Each batch is read only when the client has taken the previous one.
 */
export function streamExportBatches(
  db: Db,
  filter: AdminFilter,
  format: StreamFormat,
  options: ExportStreamOptions = {},
): ReadableStream<Uint8Array> {
  return streamRows<ExportRecord, ExportRecord>({
    format,
    columns: exportColumns,
    toRecord: (row) => row,
    signal: options.signal,
    onError: options.onError,
    onDone: options.onDone,
    batch: (last) =>
      exportBatch(db, filter, keysetWindow(exportOrder, last && exportOrder.key(last), BATCH_SIZE)),
  })
}

// --- COPY: PostgreSQL encodes the export itself

const dialect = new PgDialect()

/**
 * The whole export as one select, every row already in its final text: the admin list's
 * filters, in the batch path's order (start_datetime, id on bookings_start_datetime_idx). For
 * NDJSON and JSON a row is one row_to_json text; for CSV the cells.
 *
 * COPY takes no bind parameters (the server analyses its query afresh, without the Bind
 * message's values), so the filter values are written in as literals: the validated ids, status
 * and instants of AdminFilter, quoted as quote_literal() would.
 */
export function exportCopySelect(filter: AdminFilter, format: StreamFormat): string {
  const where = adminWhere(filter) ?? sql`true`
  const order = sql`order by ${bookings.startDatetime}, ${bookings.id}`
  const select =
    format === 'csv'
      ? sql`select ${exportSelectList('csv')} from ${exportFrom} where ${where} ${order}`
      : sql`select row_to_json(e)::text from ${exportFrom}
              cross join lateral (select ${exportSelectList('json')}) e
             where ${where} ${order}`
  const query = dialect.sqlToQuery(select)
  // One line (for psql's \copy and pg_stat_activity): before the values go in, the only quoted
  // text is this file's own, which has no runs of white space.
  return inlineParams({ ...query, sql: query.sql.replace(/\s+/g, ' ') })
}

/**
 * CSV with a header; JSON rows through CSV mode too, with a quote and a delimiter that JSON
 * text cannot hold raw (it escapes control characters), so each line is the JSON verbatim:
 * text mode would double every backslash.
 */
const copyOptions = (format: StreamFormat) =>
  format === 'csv' ? 'format csv, header' : "format csv, quote e'\\x01', delimiter e'\\x02'"

export const exportCopyStatement = (filter: AdminFilter, format: StreamFormat) =>
  `copy (${exportCopySelect(filter, format)}) to stdout with (${copyOptions(format)})`

const encoders = { ndjson: asIs, csv: csvCrlf, json: jsonArrayFromLines }

/** The export streamed by PostgreSQL's COPY: the database encodes, this process passes it on. */
export function streamExportCopy(
  client: postgres.Sql,
  filter: AdminFilter,
  format: StreamFormat,
  options: ExportStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  return copyStream(client, exportCopyStatement(filter, format), {
    ...options,
    encoder: encoders[format](),
  })
}

// --- Taking turns, and picking the way

/** Exports that may wait for a turn; past that, or past EXPORT_MAX_WAIT_MS, LimitReached. */
export const EXPORT_QUEUE = 64
const EXPORT_MAX_WAIT_MS = 30_000

/** Per database: tests and benchmarks run several apps in one process. */
const limits = new WeakMap<Database, ConcurrencyLimit>()

/**
 * At most half the pool streams exports at once, so slow downloads cannot take every connection
 * from the rest of the API; a COPY also needs one more connection free to be cancelled from.
 * Further exports wait their turn rather than run another way: 64 exports at once grew RSS by
 * 320 MB when those past the COPY slots were encoded here, by 50 MB taking turns at COPY (and
 * more of them finished per second).
 */
const exportSlots = (database: Database) => Math.floor(database.poolStats().max / 2)

function exportLimit(database: Database): ConcurrencyLimit {
  let limit = limits.get(database)
  if (!limit) {
    limit = concurrencyLimit({
      name: 'exports',
      concurrency: Math.max(1, exportSlots(database)),
      maxQueued: EXPORT_QUEUE,
      maxWaitMs: EXPORT_MAX_WAIT_MS,
    })
    limits.set(database, limit)
  }
  return limit
}

/**
 * The one place that picks how an export is made, once it has its turn. On PostgreSQL, COPY: the
 * database encodes every row and this process passes the bytes through. On PGlite (no streaming
 * COPY TO STDOUT), or with a pool of one, keyset batches encoded here. Both write the same bytes.
 * Rejects with LimitReached when too many exports are waiting, and with the signal's reason when
 * the client leaves while waiting.
 */
export async function openBookingsExport(
  database: Database,
  filter: AdminFilter,
  format: StreamFormat,
  options: ExportStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const release = await exportLimit(database).acquire(options.signal)
  const onDone = () => {
    release()
    options.onDone?.()
  }
  try {
    if (database.sql && exportSlots(database) > 0) {
      return await streamExportCopy(database.sql, filter, format, { ...options, onDone })
    }
    return streamExportBatches(database.db, filter, format, { ...options, onDone })
  } catch (error) {
    release()
    throw error
  }
}
