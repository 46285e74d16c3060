import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, unique } from 'drizzle-orm/pg-core'
import { id, ref, timestamps } from './columns'
import { rackOrderStatus } from './enums'
import { lineChecks, lineColumns } from './order-lines'
import { users } from './users'

export const rackOrders = pgTable(
  'rack_orders',
  {
    id: id(),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    status: rackOrderStatus('status').notNull().default('pending'),
    totalCents: integer('total_cents').notNull(),
    ...timestamps,
  },
  (t) => [
    check('rack_orders_total_non_negative', sql`${t.totalCents} >= 0`),
    index('rack_orders_user_id_status_idx').on(t.userId, t.status),
    index('rack_orders_user_id_id_idx').on(t.userId, t.id),
    index('rack_orders_status_id_idx').on(t.status, t.id),
  ],
)

export const rackOrderItems = pgTable(
  'rack_order_items',
  {
    id: id(),
    rackOrderId: ref('rack_order_id')
      .notNull()
      .references(() => rackOrders.id, { onDelete: 'cascade' }),
    ...lineColumns(),
  },
  (t) => [
    ...lineChecks('rack_order_items', t),
    index('rack_order_items_rack_order_id_idx').on(t.rackOrderId),
    index('rack_order_items_item_id_idx').on(t.itemId),
    unique('rack_order_items_order_item_key').on(t.rackOrderId, t.itemId),
  ],
)
