import { z } from '@hono/zod-openapi'
import { bookingItems, bookings } from '../../db/schema'
import { DateTimeString } from '../../http/openapi-schemas'
import { PageQuery, pageOf } from '../../http/pagination'
import { Instant, optionalId } from '../../http/params'
import { jsonView } from '../../http/table-json'
import { createSelectSchema } from '../../http/table-schemas'
import { iso } from '../../lib/serialize'
import {
  bookingStatuses,
  type BookingItemRow,
  type BookingRow,
} from '../../services/bookings/booking-columns'

// A booking's JSON is its table's columns: the reads select it so from SQL
// (services/bookings/booking-columns.ts), the writes map the row they returned here.
const BookingJson = jsonView(createSelectSchema(bookings))
const BookingItemJson = jsonView(createSelectSchema(bookingItems), { omit: ['bookingId'] })

export const BookingItemSchema = BookingItemJson.schema.openapi('BookingItem')

export const BookingSchema = BookingJson.schema
  .extend({ items: z.array(BookingItemSchema) })
  .openapi('Booking')

export type Booking = z.infer<typeof BookingSchema>

/** A booking a write returned, with its items, as its JSON. */
export const toBooking = (row: BookingRow, items: readonly BookingItemRow[] = []): Booking => ({
  ...BookingJson.toJson(row),
  items: items.map(BookingItemJson.toJson),
})

export const BookingStatus = z.enum(bookingStatuses)

export const MAX_BOOKING_HOURS = 24
const HOUR_MS = 3_600_000
const wholeMinute = (d: Date) => d.getTime() % 60_000 === 0

function checkSlot(start: Date, end: Date, ctx: z.RefinementCtx) {
  for (const [key, at] of [
    ['start_datetime', start],
    ['end_datetime', end],
  ] as const) {
    if (!wholeMinute(at)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'must be a whole minute (no seconds)' })
    }
  }
  const length = end.getTime() - start.getTime()
  if (length <= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['end_datetime'],
      message: 'must be after start_datetime',
    })
  } else if (length > MAX_BOOKING_HOURS * HOUR_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['end_datetime'],
      message: `a booking lasts at most ${MAX_BOOKING_HOURS} hours`,
    })
  }
}

function checkDistinct(lines: unknown[], ctx: z.RefinementCtx) {
  const seen = new Set<unknown>()
  lines.forEach((line, index) => {
    const id = (line as { item_id?: unknown } | null)?.item_id
    if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['items', index, 'item_id'],
        message: 'each item may appear once; put the whole quantity on one line',
      })
    }
    seen.add(id)
  })
}

const positiveId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

export const BookingCreate = z
  .object({
    venue_id: positiveId,
    start_datetime: Instant,
    end_datetime: Instant,
    items: z
      .array(
        z.object({ item_id: positiveId, quantity: z.number().int().min(1).max(1000) }).strict(),
      )
      .max(50)
      .optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    // Zod runs this even when a field already failed: then values may still be raw input.
    const start: unknown = b.start_datetime
    const end: unknown = b.end_datetime
    if (start instanceof Date && end instanceof Date) checkSlot(start, end, ctx)
    const lines: unknown = b.items
    if (Array.isArray(lines)) checkDistinct(lines, ctx)
  })
  .openapi('BookingCreate', {
    description:
      `A slot of one venue, optionally with rental items. Instants are RFC 3339 with an offset, ` +
      `on whole minutes; the slot is half-open [start, end), lasts at most ${MAX_BOOKING_HOURS} ` +
      'hours and may not start before the current minute. Each item_id appears at most once. ' +
      'The price is the venue hourly_price_cents pro rata for the minutes (rounded half up) plus ' +
      'quantity x price_cents of each item, a flat price per booking.',
    example: {
      venue_id: 1,
      start_datetime: '2031-05-01T18:00:00+02:00',
      end_datetime: '2031-05-01T19:30:00+02:00',
      items: [{ item_id: 1, quantity: 2 }],
      notes: 'Two rackets, please',
    },
  })

export type BookingCreate = z.infer<typeof BookingCreate>

/** The request as the idempotency key remembers it: instants as UTC text, defaults filled in. */
export const idempotencyView = (b: BookingCreate) => ({
  venue_id: b.venue_id,
  start_datetime: iso(b.start_datetime),
  end_datetime: iso(b.end_datetime),
  items: b.items ?? [],
  notes: b.notes ?? null,
})

export const BookingChange = z
  .object({
    start_datetime: Instant.optional(),
    end_datetime: Instant.optional(),
    items: z
      .array(
        z.object({ item_id: positiveId, quantity: z.number().int().min(1).max(1000) }).strict(),
      )
      .max(50)
      .optional(),
    notes: z.string().max(2000).nullable().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (Object.keys(b).length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'send at least one field to change' })
    }
    const start: unknown = b.start_datetime
    const end: unknown = b.end_datetime
    if (start instanceof Date && end instanceof Date) checkSlot(start, end, ctx)
    else {
      for (const [key, at] of [
        ['start_datetime', start],
        ['end_datetime', end],
      ] as const) {
        if (at instanceof Date && !wholeMinute(at)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'must be a whole minute (no seconds)',
          })
        }
      }
    }
    const lines: unknown = b.items
    if (Array.isArray(lines)) checkDistinct(lines, ctx)
  })
  .openapi('BookingChange', {
    description:
      'Any of the slot, the whole list of rented items (replacing the old list) and the notes. ' +
      'A field left out stays as it is. The new slot follows the same rules as a new booking.',
  })

export type BookingChange = z.infer<typeof BookingChange>

export const changeIdempotencyView = (id: number, b: BookingChange) => ({
  id,
  start_datetime: b.start_datetime ? iso(b.start_datetime) : null,
  end_datetime: b.end_datetime ? iso(b.end_datetime) : null,
  items: b.items ?? null,
  notes: b.notes === undefined ? '(unchanged)' : b.notes,
})

export const BookingStatusUpdate = z
  .object({ status: BookingStatus })
  .strict()
  .openapi('BookingStatusUpdate', {
    description:
      'pending -> confirmed or cancelled; confirmed -> cancelled or completed (completed only ' +
      'after the end, else 422 rule not_ended); a cancelled single booking -> confirmed while its ' +
      'slot and items are free (else 409). Completed is final. Setting the current status again ' +
      'changes nothing; any other change is 409.',
  })

export const OwnBookingsQuery = PageQuery.extend({ status: BookingStatus.optional() })

/** The admin filters, shared by the admin list and the export. */
export const AdminBookingFilters = z.object({
  status: BookingStatus.optional(),
  venue_id: optionalId('venue_id'),
  user_id: optionalId('user_id'),
  from: Instant.optional().openapi({
    description: 'Only bookings ending after this instant (overlapping [from, to))',
  }),
  to: Instant.optional().openapi({ description: 'Only bookings starting before this instant' }),
})

const fromBeforeTo = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to
const toAfterFrom = { path: ['to'], message: 'must be after from' }

export const AdminBookingsQuery = PageQuery.extend(AdminBookingFilters.shape).refine(
  fromBeforeTo,
  toAfterFrom,
)

export const ExportQuery = AdminBookingFilters.extend({
  format: z.enum(['ndjson', 'csv', 'json']).default('ndjson'),
}).refine(fromBeforeTo, toAfterFrom)

export const TodayQuery = PageQuery.extend({
  status: BookingStatus.optional(),
  venue_id: optionalId('venue_id'),
})

export const BookingItemsQuery = PageQuery.extend({
  booking_id: optionalId('booking_id'),
  item_id: optionalId('item_id'),
})

export const BookingItemRecordSchema = jsonView(createSelectSchema(bookingItems)).schema.openapi(
  'BookingItemRecord',
)

export const TodayPageSchema = pageOf(BookingSchema)
  .extend({
    day: z.object({
      date: z.string().openapi({ format: 'date', example: '2030-01-01' }),
      time_zone: z.string().openapi({ example: 'Europe/Berlin' }),
      from: DateTimeString,
      to: DateTimeString,
    }),
  })
  .openapi('BookingsToday')
