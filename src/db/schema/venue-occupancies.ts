import { sql } from 'drizzle-orm'
import { boolean, check, index, pgEnum, pgTable, uniqueIndex } from 'drizzle-orm/pg-core'
import { bookings } from './bookings'
import { id, instant, ref } from './columns'
import { regularPrograms } from './regular-programs'
import { venues } from './venues'

export const occupancySource = pgEnum('occupancy_source', ['booking', 'program_session'])

/**
 * Every way a venue is taken, one row each: a single booking or one session of a weekly program.
 * `blocked_until` is the end plus the venue's buffer, so the EXCLUDE constraint of the custom
 * migration (drizzle-kit cannot express it) refuses an overlap or a too-short gap, whatever wrote
 * the rows. Triggers on bookings and regular_programs keep the rows in step with their sources.
 */
export const venueOccupancies = pgTable(
  'venue_occupancies',
  {
    id: id(),
    venueId: ref('venue_id')
      .notNull()
      .references(() => venues.id, { onDelete: 'cascade' }),
    source: occupancySource('source').notNull(),
    bookingId: ref('booking_id').references(() => bookings.id, { onDelete: 'cascade' }),
    programId: ref('program_id').references(() => regularPrograms.id, { onDelete: 'cascade' }),
    startsAt: instant('starts_at').notNull(),
    endsAt: instant('ends_at').notNull(),
    blockedUntil: instant('blocked_until').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [
    check('venue_occupancies_end_after_start', sql`${t.endsAt} > ${t.startsAt}`),
    check('venue_occupancies_blocked_covers_end', sql`${t.blockedUntil} >= ${t.endsAt}`),
    check(
      'venue_occupancies_source_matches_ref',
      sql`(${t.source} = 'booking' and ${t.bookingId} is not null and ${t.programId} is null)
       or (${t.source} = 'program_session' and ${t.programId} is not null and ${t.bookingId} is null)`,
    ),
    uniqueIndex('venue_occupancies_booking_id_key').on(t.bookingId),
    index('venue_occupancies_program_id_starts_at_idx').on(t.programId, t.startsAt),
  ],
)
