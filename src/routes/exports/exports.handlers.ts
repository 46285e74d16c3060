import type { AppRouteHandler } from '../../lib/context'
import { iso } from '../../lib/serialize'
import { streamList } from '../../lib/stream-list'
import { exportBatch, exportOrder, type ExportRow } from '../../services/exports/bookings-export'
import type * as routes from './exports.routes'

const BATCH_SIZE = 2000

const toRecord = (b: ExportRow) => ({
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

type ExportRecord = ReturnType<typeof toRecord>

const columns: (keyof ExportRecord)[] = [
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
]

export const exportBookings: AppRouteHandler<typeof routes.exportBookings> = (c) => {
  const { format, status, venue_id, user_id, from, to } = c.req.valid('query')
  const { db } = c.var.deps.database
  const filter = { status, venueId: venue_id, userId: user_id, from, to }
  return streamList(c, {
    format,
    columns,
    filename: `bookings-${new Date().toISOString().slice(0, 10)}`,
    keyset: exportOrder,
    batchSize: BATCH_SIZE,
    rows: (window) => exportBatch(db, filter, window),
    map: toRecord,
  }) as never
}
