import { sql } from 'drizzle-orm'
import { type AnyPgColumn, check, integer } from 'drizzle-orm/pg-core'
import { ref } from './columns'
import { items } from './items'

/**
 * What a line of an order (a booking's rented items, a rack order's merchandise) holds beside its
 * order: the item, how many, and the unit price it was sold at, kept as the item's price moves.
 */
export const lineColumns = () => ({
  itemId: ref('item_id')
    .notNull()
    .references(() => items.id, { onDelete: 'restrict' }),
  quantity: integer('quantity').notNull(),
  unitPriceCents: integer('unit_price_cents').notNull(),
})

type LineColumns = { quantity: AnyPgColumn; unitPriceCents: AnyPgColumn }

/** A line's checks, named after its table: one item or more, at a price of zero or more. */
export const lineChecks = (table: string, t: LineColumns) => [
  check(`${table}_quantity_positive`, sql`${t.quantity} > 0`),
  check(`${table}_unit_price_non_negative`, sql`${t.unitPriceCents} >= 0`),
]
