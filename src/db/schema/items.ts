import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { id, timestamps } from './columns'
import { itemKind } from './enums'

export const items = pgTable(
  'items',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    kind: itemKind('kind').notNull(),
    priceCents: integer('price_cents').notNull(),
    stock: integer('stock').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    check('items_price_non_negative', sql`${t.priceCents} >= 0`),
    check('items_stock_non_negative', sql`${t.stock} >= 0`),
    index('items_active_kind_id_idx').on(t.isActive, t.kind, t.id),
  ],
)
