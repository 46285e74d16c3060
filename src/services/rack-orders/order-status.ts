import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { items, rackOrderItems, rackOrders } from '../../db/schema'
import type { AuthUser } from '../users/account'
import { ServiceError, notFound } from '../errors'
import { transaction } from '../../db/transaction'
import {
  rackOrderColumns,
  visibleTo,
  withItems,
  type RackOrderStatus,
  type RackOrderWithItems,
} from './rack-orders'

type Moves = Record<RackOrderStatus, readonly RackOrderStatus[]>

/**
 * How staff move an order: paid at the counter or online, then handed over (fulfilled), or
 * cancelled before it is handed over. Fulfilled and cancelled are final.
 */
export const transitions: Moves = {
  pending: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: [],
  cancelled: [],
}

/** A buyer may only give up an unpaid order; a paid one means a refund, which staff decide. */
const buyerTransitions: Moves = { pending: ['cancelled'], paid: [], fulfilled: [], cancelled: [] }

export const movesOf = (viewer: AuthUser): Moves =>
  viewer.role === 'admin' ? transitions : buyerTransitions

function refused(from: RackOrderStatus, to: RackOrderStatus, viewer: AuthUser): ServiceError {
  const allowed = movesOf(viewer)[from]
  const staffOnly = transitions[from].includes(to)
  const detail = staffOnly
    ? `A ${from} order can only become ${to} by staff.`
    : `A ${from} order cannot become ${to}.`
  return new ServiceError('conflict', detail, {
    type: 'invalid-status-transition',
    extensions: { current_status: from, allowed },
  })
}

/**
 * Moves an order to `to`, as `viewer` may (admins by `transitions`, buyers only cancel a pending
 * order of their own). Asking for the status it already has changes nothing, so a repeated cancel
 * answers like the first. The order row is locked for the whole change: of many concurrent
 * cancels, the first puts the stock back and the others, queued on the lock, find it cancelled,
 * so stock is restored exactly once.
 */
export async function changeOrderStatus(
  db: Db,
  id: number,
  to: RackOrderStatus,
  viewer: AuthUser,
): Promise<RackOrderWithItems> {
  const order = await transaction(db, async (tx) => {
    const [order] = await tx
      .select(rackOrderColumns)
      .from(rackOrders)
      .where(and(eq(rackOrders.id, id), visibleTo(viewer)))
      .for('update')
    if (!order) throw notFound('rack order')
    if (order.status === to) return order
    if (!movesOf(viewer)[order.status].includes(to)) throw refused(order.status, to, viewer)

    if (to === 'cancelled') {
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
    }
    const [changed] = await tx
      .update(rackOrders)
      .set({ status: to, updatedAt: new Date() })
      .where(eq(rackOrders.id, id))
      .returning(rackOrderColumns)
    return changed!
  })
  return (await withItems(db, [order]))[0]!
}
