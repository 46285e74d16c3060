import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, users, venues } from '../../db/schema'
import { keysetWindow, type Keyset, type PageWindow } from '../../http/pagination'
import { iso } from '../../lib/serialize'
import { streamRows, type StreamFormat } from '../../db/stream-rows'
import { bookingColumns, loadBookingItems, type BookingItemRow, type BookingRow } from '../bookings/booking-columns'
import { adminWhere, type AdminFilter } from '../bookings/list-bookings'

export type ExportRow = BookingRow & {
  venueName: string
  userEmail: string
  items: BookingItemRow[]
}

/** One exported booking, as every format writes it (CSV nests `items` as JSON text). */
export const toExportRecord = (b: ExportRow) => ({
  id: b.id,
  user_id: b.userId,
  user_email: b.userEmail,
  venue_id: b.venueId,
  venue_name: b.venueName,
  kind: b.kind,
  program_id: b.programId,
  start_datetime: iso(b.startDatetime),
  end_datetime: iso(b.endDatetime),
  status: b.status,
  total_cents: b.totalCents,
  notes: b.notes,
  items: b.items.map((i) => ({
    id: i.id,
    item_id: i.itemId,
    quantity: i.quantity,
    unit_price_cents: i.unitPriceCents,
  })),
  created_at: iso(b.createdAt),
  updated_at: iso(b.updatedAt),
})

export type ExportRecord = ReturnType<typeof toExportRecord>

/** The fields in the order of the record above: the CSV header, and the COPY select's columns. */
export const exportColumns = [
  'id',
  'user_id',
  'user_email',
  'venue_id',
  'venue_name',
  'kind',
  'program_id',
  'start_datetime',
  'end_datetime',
  'status',
  'total_cents',
  'notes',
  'items',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ExportRecord)[]

/** Earliest first, on bookings_start_datetime_idx (start_datetime, id), which also serves from/to. */
export const exportOrder: Keyset<ExportRow> = {
  sort: bookings.startDatetime,
  id: bookings.id,
  direction: 'asc',
  sortType: 'timestamptz',
  key: (b) => [iso(b.startDatetime), b.id],
}

const BATCH_SIZE = 2000

/**
 * One batch of the export: the admin list's filters, plus venue name and user email, plus the
 * batch's items in one more query. Each batch is a short query, so nothing is held open between
 * batches and a client that leaves simply stops the next one.
 */
export async function exportBatch(
  db: Db,
  filter: AdminFilter,
  window: PageWindow,
): Promise<ExportRow[]> {
  const rows = await db
    .select({ ...bookingColumns, venueName: venues.name, userEmail: users.email })
    .from(bookings)
    .innerJoin(venues, eq(venues.id, bookings.venueId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(and(adminWhere(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
  const items = await loadBookingItems(db, rows.map((r) => r.id))
  return rows.map((r) => ({ ...r, items: items.get(r.id) ?? [] }))
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
  return streamRows({
    format,
    columns: [...exportColumns],
    toRecord: toExportRecord,
    signal: options.signal,
    onError: options.onError,
    onDone: options.onDone,
    batch: (last) =>
      exportBatch(db, filter, keysetWindow(exportOrder, last && exportOrder.key(last), BATCH_SIZE)),
  })
}
