import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { id, instant, ref, timestamps } from './columns'
import { bookingKind, bookingStatus } from './enums'
import { regularPrograms } from './regular-programs'
import { users } from './users'
import { venues } from './venues'

/**
 * No two active single bookings of a venue overlap: an EXCLUDE constraint added by the custom
 * migration in drizzle/ (drizzle-kit cannot express it).
 */
export const bookings = pgTable(
  'bookings',
  {
    id: id(),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    venueId: ref('venue_id')
      .notNull()
      .references(() => venues.id, { onDelete: 'restrict' }),
    kind: bookingKind('kind').notNull().default('single'),
    programId: ref('program_id').references(() => regularPrograms.id, { onDelete: 'restrict' }),
    startDatetime: instant('start_datetime').notNull(),
    endDatetime: instant('end_datetime').notNull(),
    status: bookingStatus('status').notNull().default('confirmed'),
    totalCents: integer('total_cents').notNull(),
    notes: text('notes'),
    ...timestamps,
  },
  (t) => [
    check('bookings_end_after_start', sql`${t.endDatetime} > ${t.startDatetime}`),
    check('bookings_total_non_negative', sql`${t.totalCents} >= 0`),
    check(
      'bookings_program_matches_kind',
      sql`(${t.kind} = 'program') = (${t.programId} is not null)`,
    ),
    index('bookings_user_id_status_idx').on(t.userId, t.status),
    index('bookings_user_id_id_idx').on(t.userId, t.id),
    index('bookings_start_datetime_idx').on(t.startDatetime, t.id),
    index('bookings_venue_id_start_datetime_idx').on(t.venueId, t.startDatetime),
    index('bookings_program_id_idx').on(t.programId),
    index('bookings_status_start_datetime_idx').on(t.status, t.startDatetime, t.id),
    // Rental stock sums the items of every active booking overlapping a slot, whatever the venue;
    // without this the check walks an item's whole rental history while holding its row lock.
    index('bookings_active_period_idx')
      .using('gist', sql`tstzrange(${t.startDatetime}, ${t.endDatetime}, '[)')`)
      .where(sql`${t.status} in ('pending', 'confirmed')`),
    // The admin list's from/to filter selects bookings overlapping [from, to): a btree on either
    // end bounds only one side, so counting a week of a long history read every earlier booking.
    index('bookings_period_idx').using(
      'gist',
      sql`tstzrange(${t.startDatetime}, ${t.endDatetime}, '[)')`,
    ),
    uniqueIndex('bookings_one_active_enrolment_key')
      .on(t.programId, t.userId)
      .where(sql`${t.kind} = 'program' and ${t.status} in ('pending', 'confirmed')`),
  ],
)
