import { sql } from 'drizzle-orm'
import { check, integer, jsonb, pgTable } from 'drizzle-orm/pg-core'
import { instant, ref } from './columns'
import { venues } from './venues'

/** `{"1": [{"open": "08:00", "close": "22:00"}], ...}`: ISO weekday to local opening intervals. */
export type OpeningHours = Partial<Record<string, { open: string; close: string }[]>>

/**
 * A venue's booking rules. A venue without a row follows the defaults in
 * src/services/venues/booking-rules.ts; an admin's first PUT writes the row.
 */
export const venueBookingRules = pgTable(
  'venue_booking_rules',
  {
    venueId: ref('venue_id')
      .primaryKey()
      .references(() => venues.id, { onDelete: 'cascade' }),
    openingHours: jsonb('opening_hours').$type<OpeningHours>().notNull(),
    slotMinutes: integer('slot_minutes').notNull(),
    minMinutes: integer('min_minutes').notNull(),
    maxMinutes: integer('max_minutes').notNull(),
    bufferMinutes: integer('buffer_minutes').notNull(),
    leadTimeMinutes: integer('lead_time_minutes').notNull(),
    maxAdvanceDays: integer('max_advance_days').notNull(),
    cancelCutoffMinutes: integer('cancel_cutoff_minutes').notNull(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('venue_booking_rules_slot_positive', sql`${t.slotMinutes} > 0`),
    check(
      'venue_booking_rules_durations_ordered',
      sql`${t.minMinutes} > 0 and ${t.maxMinutes} >= ${t.minMinutes}`,
    ),
    check(
      'venue_booking_rules_non_negative',
      sql`${t.bufferMinutes} >= 0 and ${t.leadTimeMinutes} >= 0 and ${t.maxAdvanceDays} > 0
          and ${t.cancelCutoffMinutes} >= 0`,
    ),
  ],
)
