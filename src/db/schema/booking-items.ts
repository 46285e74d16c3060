import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, unique } from 'drizzle-orm/pg-core'
import { bookings } from './bookings'
import { id, ref } from './columns'
import { items } from './items'

export const bookingItems = pgTable(
  'booking_items',
  {
    id: id(),
    bookingId: ref('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    itemId: ref('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'restrict' }),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  (t) => [
    check('booking_items_quantity_positive', sql`${t.quantity} > 0`),
    check('booking_items_unit_price_non_negative', sql`${t.unitPriceCents} >= 0`),
    index('booking_items_booking_id_idx').on(t.bookingId),
    index('booking_items_item_id_idx').on(t.itemId, t.id),
    unique('booking_items_booking_item_key').on(t.bookingId, t.itemId),
  ],
)
