import { z } from '@hono/zod-openapi'
import { venueBookingRules } from '../../db/schema'
import { jsonInput, jsonView } from '../../http/table-json'
import { createInsertSchema, createSelectSchema } from '../../http/table-schemas'
import type { VenueRules } from '../../services/venues/booking-rules'
import { MAX_AVAILABILITY_DAYS } from '../../services/venues/availability'
import { DateTimeString } from '../../http/openapi-schemas'

const clock = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'must be HH:MM, 00:00 to 24:00')

const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3))

const Interval = z.object({ open: clock, close: clock }).strict()

const Weekday = z.enum(['1', '2', '3', '4', '5', '6', '7'])

export const OpeningHoursSchema = z
  .partialRecord(Weekday, z.array(Interval).max(8))
  .superRefine((hours, ctx) => {
    for (const [day, spans] of Object.entries(hours)) {
      const sorted = [...(spans ?? [])].sort((a, b) => minutesOf(a.open) - minutesOf(b.open))
      sorted.forEach((span, i) => {
        if (minutesOf(span.close) <= minutesOf(span.open)) {
          ctx.addIssue({ code: 'custom', path: [day, i, 'close'], message: 'must be after open' })
        }
        const next = sorted[i + 1]
        if (next && minutesOf(next.open) < minutesOf(span.close)) {
          ctx.addIssue({ code: 'custom', path: [day], message: 'intervals must not overlap' })
        }
      })
    }
  })
  .openapi('OpeningHours', {
    description:
      'ISO weekday ("1" = Monday) to the local opening intervals of that day, in the venue time ' +
      'zone; "24:00" closes at midnight. A weekday left out or empty is closed. An interval ' +
      'that closes when another opens (24:00 and 00:00 the next day) runs on into it.',
    example: { '1': [{ open: '08:00', close: '22:00' }], '6': [{ open: '10:00', close: '18:00' }] },
  })

/** A rules row but the venue (the path names it) and when it last changed. */
const notRules = { venueId: true, updatedAt: true } as const

const RulesInput = jsonInput(
  createInsertSchema(venueBookingRules, {
    openingHours: OpeningHoursSchema,
    slotMinutes: (s) => s.min(1).max(1440),
    minMinutes: (s) => s.min(1).max(1440),
    maxMinutes: (s) => s.min(1).max(1440),
    bufferMinutes: (s) => s.min(0).max(1440),
    leadTimeMinutes: (s) => s.min(0).max(525_600),
    maxAdvanceDays: (s) => s.min(1).max(1095),
    cancelCutoffMinutes: (s) => s.min(0).max(525_600),
  }).omit(notRules),
)

export const BookingRulesInput = RulesInput.create
  .refine((r) => r.max_minutes >= r.min_minutes, {
    path: ['max_minutes'],
    message: 'must be at least min_minutes',
  })
  .refine((r) => r.min_minutes % r.slot_minutes === 0 && r.max_minutes % r.slot_minutes === 0, {
    path: ['slot_minutes'],
    message: 'min_minutes and max_minutes must be whole multiples of slot_minutes',
  })
  .openapi('BookingRulesInput', {
    description:
      'Every rule of the venue, all required: what a PUT sends replaces the rules whole. ' +
      'Durations in minutes; bookings start on the slot grid counted from each opening time.',
  })

export const fromRulesInput = RulesInput.fromCreate

const Rules = jsonView(
  createSelectSchema(venueBookingRules, { openingHours: OpeningHoursSchema }).omit(notRules),
)

export const BookingRulesSchema = Rules.schema
  .extend({
    venue_id: z.number().int(),
    timezone: z.string(),
    is_default: z.boolean(),
  })
  .openapi('BookingRules')

export const toRules = (v: VenueRules) => ({
  venue_id: v.venueId,
  timezone: v.timezone,
  is_default: !v.configured,
  ...Rules.toJson(v.rules),
})

const LocalDate = z.iso.date({ error: 'must be a date, YYYY-MM-DD' })

export const AvailabilityQuery = z
  .object({
    from: LocalDate.openapi({
      description: 'First local date (venue time zone)',
      example: '2031-03-30',
    }),
    to: LocalDate.optional().openapi({
      description: `Last local date, inclusive; default \`from\`. At most ${MAX_AVAILABILITY_DAYS} days.`,
    }),
  })
  .refine((q) => !q.to || q.to >= q.from, { path: ['to'], message: 'must not be before from' })

export const AvailabilitySchema = z
  .object({
    venue_id: z.number().int(),
    timezone: z.string(),
    from: z.string().openapi({ format: 'date' }),
    to: z.string().openapi({ format: 'date' }),
    slot_minutes: z.number().int(),
    min_minutes: z.number().int(),
    max_minutes: z.number().int(),
    buffer_minutes: z.number().int(),
    slots: z.array(
      z.object({
        start: DateTimeString,
        end: DateTimeString,
        max_end: DateTimeString,
      }),
    ),
  })
  .openapi('Availability', {
    description:
      'Every start on the venue grid at which a booking can be made now: `end` is the end of the ' +
      'shortest booking allowed (min_minutes), `max_end` the latest end a booking starting there ' +
      'may have (the longest allowed, closing time, or the next booking or session minus the ' +
      'buffer). Instants are UTC.',
  })
