import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  smallint,
  text,
  time,
} from 'drizzle-orm/pg-core'
import { id, ref, timestamps } from './columns'
import { venues } from './venues'

export const regularPrograms = pgTable(
  'regular_programs',
  {
    id: id(),
    venueId: ref('venue_id')
      .notNull()
      .references(() => venues.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** ISO weekdays, 1 = Monday. */
    weekdays: smallint('weekdays').array().notNull(),
    startTime: time('start_time').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    capacity: integer('capacity').notNull(),
    priceCents: integer('price_cents').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    check('regular_programs_duration_positive', sql`${t.durationMinutes} > 0`),
    check('regular_programs_capacity_positive', sql`${t.capacity} > 0`),
    check('regular_programs_price_non_negative', sql`${t.priceCents} >= 0`),
    check('regular_programs_dates_ordered', sql`${t.endsOn} >= ${t.startsOn}`),
    check(
      'regular_programs_weekdays_valid',
      sql`cardinality(${t.weekdays}) between 1 and 7 and ${t.weekdays} <@ array[1,2,3,4,5,6,7]::smallint[]`,
    ),
    index('regular_programs_venue_id_idx').on(t.venueId),
    index('regular_programs_active_id_idx').on(t.isActive, t.id),
  ],
)
