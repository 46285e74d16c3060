import { sql, type SQL } from 'drizzle-orm'
import { PgDialect, type PgColumn } from 'drizzle-orm/pg-core'
import type postgres from 'postgres'
import { bookingItems, bookings, users, venues } from '../../db/schema'
import { asIs, csvCrlf, jsonArrayFromLines } from '../../db/copy-encoders'
import { copyStream } from '../../db/copy-stream'
import { inlineParams } from '../../db/sql-literal'
import type { StreamFormat } from '../../db/stream-rows'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'
import { exportColumns, type ExportRecord, type ExportStreamOptions } from './bookings-export'

const dialect = new PgDialect()

/** As iso() writes an instant: UTC, milliseconds (truncated, as a JS Date holds them), `Z`. */
const isoText = (column: PgColumn) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * A booking's items as JSON text, in id order, `[]` when it has none: one probe of
 * booking_items_booking_id_idx per booking. string_agg of row_to_json rather than json_agg,
 * whose output has a space and a newline between elements, unlike JSON.stringify.
 */
const itemsJson = sql`coalesce((
  select '[' || string_agg(row_to_json(i)::text, ',' order by i.id) || ']'
    from (select ${bookingItems.id} as id, ${bookingItems.itemId} as item_id,
                 ${bookingItems.quantity} as quantity,
                 ${bookingItems.unitPriceCents} as unit_price_cents
            from ${bookingItems}
           where ${bookingItems.bookingId} = ${bookings.id}) i), '[]')`

/**
 * Each exported field as SQL, for NDJSON (JSON values) or CSV (cells). In CSV PostgreSQL quotes
 * an empty string (to tell it from NULL) where csv-stringify writes nothing, so text cells turn
 * '' into NULL there; JSON keeps "" and null apart as the batch path does.
 */
function fields(format: 'json' | 'csv'): Record<keyof ExportRecord, SQL | PgColumn> {
  const text = (column: PgColumn) => (format === 'csv' ? sql`nullif(${column}, '')` : column)
  return {
    id: bookings.id,
    user_id: bookings.userId,
    user_email: text(users.email),
    venue_id: bookings.venueId,
    venue_name: text(venues.name),
    kind: bookings.kind,
    program_id: bookings.programId,
    start_datetime: isoText(bookings.startDatetime),
    end_datetime: isoText(bookings.endDatetime),
    status: bookings.status,
    total_cents: bookings.totalCents,
    notes: text(bookings.notes),
    // json, not text, so that row_to_json nests the array instead of quoting it.
    items: format === 'csv' ? itemsJson : sql`${itemsJson}::json`,
    created_at: isoText(bookings.createdAt),
    updated_at: isoText(bookings.updatedAt),
  }
}

const selectList = (format: 'json' | 'csv') => {
  const byName = fields(format)
  return sql.join(
    exportColumns.map((name) => sql`${byName[name]} as ${sql.identifier(name)}`),
    sql`, `,
  )
}

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
  const from = sql`from ${bookings}
    inner join ${venues} on ${venues.id} = ${bookings.venueId}
    inner join ${users} on ${users.id} = ${bookings.userId}`
  const order = sql`order by ${bookings.startDatetime}, ${bookings.id}`
  const select =
    format === 'csv'
      ? sql`select ${selectList('csv')} ${from} where ${where} ${order}`
      : sql`select row_to_json(e)::text ${from}
              cross join lateral (select ${selectList('json')}) e
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
