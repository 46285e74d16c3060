import { sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type postgres from 'postgres'
import { bookings } from '../../db/schema'
import { asIs, csvCrlf, jsonArrayFromLines } from '../../db/copy-encoders'
import { copyStream } from '../../db/copy-stream'
import { inlineParams } from '../../db/sql-literal'
import type { StreamFormat } from '../../db/stream-rows'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'
import { exportFrom, exportSelectList, type ExportStreamOptions } from './bookings-export'

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
