import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client'
import { keysetWindow, type Keyset, type PageWindow } from '../../db/keyset'
import { bookingItems, bookings, users, venues } from '../../db/schema'
import { streamRows, type StreamFormat } from '../../db/stream-rows'
import {
  bookingFields,
  bookingItemFields,
  type BookingItem,
  type BookingRecord,
} from '../bookings/booking-columns'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'

/** One exported booking: every booking field, its items, its venue's name and user's email. */
export type ExportRecord = BookingRecord & {
  user_email: string
  venue_name: string
  items: BookingItem[]
}
export type ExportColumn = keyof ExportRecord & string

const asSelectList = (fields: Record<string, SQL | PgColumn>) =>
  sql.join(
    Object.entries(fields).map(([name, field]) => sql`${field} as ${sql.identifier(name)}`),
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
const added: Record<string, Record<string, SQL | PgColumn>> = {
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
export function exportFields(format: 'json' | 'csv'): Record<ExportColumn, SQL | PgColumn> {
  const cell = (field: SQL | PgColumn) =>
    format === 'csv' && 'getSQLType' in field && field.getSQLType() === 'text'
      ? sql`nullif(${field}, '')`
      : field
  const fields: Record<string, SQL | PgColumn> = {}
  for (const [name, field] of Object.entries(bookingFields as Record<string, SQL | PgColumn>)) {
    fields[name] = cell(field)
    for (const [extra, value] of Object.entries(added[name] ?? {})) {
      fields[extra] = extra === 'items' && format === 'csv' ? itemsJson : cell(value)
    }
  }
  return fields as Record<ExportColumn, SQL | PgColumn>
}

/** The export's select list, for the COPY statement. */
export const exportSelectList = (format: 'json' | 'csv') => asSelectList(exportFields(format))

/** The CSV header: the fields in their order. */
export const exportColumns = Object.keys(exportFields('json')) as ExportColumn[]

/** The bookings and what the export joins to them. */
export const exportFrom = sql`${bookings}
  inner join ${venues} on ${venues.id} = ${bookings.venueId}
  inner join ${users} on ${users.id} = ${bookings.userId}`

/** Earliest first, on bookings_start_datetime_idx (start_datetime, id), which also serves from/to. */
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
