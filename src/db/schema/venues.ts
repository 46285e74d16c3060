import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { id, timestamps } from './columns'

export const venues = pgTable(
  'venues',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    capacity: integer('capacity').notNull(),
    hourlyPriceCents: integer('hourly_price_cents').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    check('venues_capacity_positive', sql`${t.capacity} > 0`),
    check('venues_hourly_price_non_negative', sql`${t.hourlyPriceCents} >= 0`),
    index('venues_active_id_idx').on(t.isActive, t.id),
  ],
)
