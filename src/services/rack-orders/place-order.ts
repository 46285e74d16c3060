import { and, eq, gte, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { items, rackOrderItems, rackOrders } from '../../db/schema'
import { invalid, conflict, type FieldError } from '../errors'
import { transaction, type BeforeCommit } from '../../db/transaction'
import {
  rackOrderColumns,
  rackOrderItemColumns,
  type RackOrderWithItems,
} from './rack-orders'

export interface OrderLine {
  itemId: number
  quantity: number
}

const MAX_TOTAL_CENTS = 2_147_483_647

/** One line per item (quantities of repeated items added up), in item-id order. */
function mergeLines(lines: readonly OrderLine[]) {
  const merged = new Map<number, { itemId: number; quantity: number; index: number }>()
  lines.forEach((line, index) => {
    const seen = merged.get(line.itemId)
    if (seen) seen.quantity += line.quantity
    else merged.set(line.itemId, { ...line, index })
  })
  return [...merged.values()].sort((a, b) => a.itemId - b.itemId)
}

/**
 * Buys merchandise: every line's stock is taken in one transaction or none is. Each decrement is
 * a conditional UPDATE (`stock >= quantity`), so concurrent buyers can never drive stock below
 * zero; rows are locked in item-id order, so two orders sharing items cannot deadlock. The order
 * starts `pending`, its stock held for it until it is fulfilled or cancelled.
 */
export async function placeOrder(
  db: Db,
  userId: number,
  lines: readonly OrderLine[],
  beforeCommit?: BeforeCommit<RackOrderWithItems>,
): Promise<RackOrderWithItems> {
  const wanted = mergeLines(lines)
  return transaction(db, async (tx) => {
    const found = await tx
      .select({ id: items.id, kind: items.kind, isActive: items.isActive })
      .from(items)
      .where(inArray(items.id, wanted.map((line) => line.itemId)))
    const onSale = new Set(
      found.filter((i) => i.isActive && i.kind === 'merchandise').map((i) => i.id),
    )
    const errors: FieldError[] = wanted
      .filter((line) => !onSale.has(line.itemId))
      .map((line) => ({
        path: `items.${line.index}.item_id`,
        message: `item ${line.itemId} is not merchandise on sale`,
      }))
    if (errors.length > 0) throw invalid('Some items cannot be bought.', errors)

    const bought: { itemId: number; quantity: number; unitPriceCents: number }[] = []
    for (const line of wanted) {
      const [taken] = await tx
        .update(items)
        .set({ stock: sql`${items.stock} - ${line.quantity}`, updatedAt: new Date() })
        .where(
          and(
            eq(items.id, line.itemId),
            gte(items.stock, line.quantity),
            eq(items.isActive, true),
            eq(items.kind, 'merchandise'),
          ),
        )
        .returning({ priceCents: items.priceCents })
      if (!taken) throw await shortage(tx, line)
      bought.push({ ...line, unitPriceCents: taken.priceCents })
    }

    const totalCents = bought.reduce((sum, b) => sum + b.quantity * b.unitPriceCents, 0)
    if (totalCents > MAX_TOTAL_CENTS) throw invalid('The order total is too large.')
    const [order] = await tx
      .insert(rackOrders)
      .values({ userId, status: 'pending', totalCents })
      .returning(rackOrderColumns)
    const orderItems = await tx
      .insert(rackOrderItems)
      .values(bought.map((b) => ({ ...b, rackOrderId: order!.id })))
      .returning(rackOrderItemColumns)
    return { ...order!, items: orderItems }
  }, beforeCommit)
}

/** Why a decrement matched no row: too little stock left, or taken off sale meanwhile. */
async function shortage(tx: Db, line: OrderLine) {
  const [item] = await tx
    .select({ name: items.name, stock: items.stock, isActive: items.isActive, kind: items.kind })
    .from(items)
    .where(eq(items.id, line.itemId))
  if (!item || !item.isActive || item.kind !== 'merchandise') {
    return conflict(`Item ${line.itemId} is no longer on sale.`, { item_id: line.itemId })
  }
  const detail =
    `Not enough stock of "${item.name}" (item ${line.itemId}): ` +
    `${item.stock} left, ${line.quantity} requested.`
  return conflict(detail, { item_id: line.itemId, requested: line.quantity, available: item.stock })
}
