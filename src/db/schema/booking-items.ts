import { index, pgTable, unique } from 'drizzle-orm/pg-core'
import { bookings } from './bookings'
import { id, ref } from './columns'
import { lineChecks, lineColumns } from './order-lines'

export const bookingItems = pgTable(
  'booking_items',
  {
    id: id(),
    bookingId: ref('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    ...lineColumns(),
  },
  (t) => [
    ...lineChecks('booking_items', t),
    index('booking_items_booking_id_idx').on(t.bookingId),
    index('booking_items_item_id_idx').on(t.itemId, t.id),
    unique('booking_items_booking_item_key').on(t.bookingId, t.itemId),
  ],
)
