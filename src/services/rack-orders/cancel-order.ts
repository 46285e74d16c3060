import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { items, rackOrderItems, rackOrders } from '../../db/schema'
import type { AuthUser } from '../../lib/context'
import { conflict, notFound } from '../../lib/problem'
import { transaction } from '../../lib/transaction'
import {
  rackOrderColumns,
  visibleTo,
  withItems,
  type RackOrderWithItems,
} from './rack-orders'

/**
 * Cancels an order and puts its items back on the shelf in the same transaction. Cancelling a
 * cancelled order changes nothing; a fulfilled one has left the shop and cannot be cancelled.
 */
export async function cancelOrder(
  db: Db,
  id: number,
  viewer: AuthUser,
): Promise<RackOrderWithItems> {
  const order = await transaction(db, async (tx) => {
    const [order] = await tx
      .select(rackOrderColumns)
      .from(rackOrders)
      .where(and(eq(rackOrders.id, id), visibleTo(viewer)))
      .for('update')
    if (!order) throw notFound('rack order')
    if (order.status === 'cancelled') return order
    if (order.status === 'fulfilled') throw conflict('A fulfilled order cannot be cancelled.')

    const lines = await tx
      .select({ itemId: rackOrderItems.itemId, quantity: rackOrderItems.quantity })
      .from(rackOrderItems)
      .where(eq(rackOrderItems.rackOrderId, id))
      .orderBy(asc(rackOrderItems.itemId))
    // Item-id order, as when buying, so a cancel and a purchase never deadlock.
    for (const line of lines) {
      await tx
        .update(items)
        .set({ stock: sql`${items.stock} + ${line.quantity}`, updatedAt: new Date() })
        .where(eq(items.id, line.itemId))
    }
    const [cancelled] = await tx
      .update(rackOrders)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(eq(rackOrders.id, id))
      .returning(rackOrderColumns)
    return cancelled!
  })
  return (await withItems(db, [order]))[0]!
}
