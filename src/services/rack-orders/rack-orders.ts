import { and, asc, count, eq, getTableColumns, inArray, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { rackOrderItems, rackOrders, rackOrderStatus } from '../../db/schema'
import type { AuthUser } from '../users/account'
import type { PageWindow } from '../../db/keyset'

export type RackOrderStatus = (typeof rackOrderStatus.enumValues)[number]

export const rackOrderColumns = getTableColumns(rackOrders)
export const rackOrderItemColumns = getTableColumns(rackOrderItems)

export type RackOrderRow = typeof rackOrders.$inferSelect
export type RackOrderItemRow = typeof rackOrderItems.$inferSelect

export type RackOrderWithItems = RackOrderRow & { items: RackOrderItemRow[] }

/** Admins see every order; anyone else only their own (and a 404 for the rest). */
export const visibleTo = (viewer: AuthUser): SQL | undefined =>
  viewer.role === 'admin' ? undefined : eq(rackOrders.userId, viewer.id)

/** Which orders a list shows: a user's own (`userId`), or any for an admin, by status. */
export interface OrderFilter {
  userId?: number
  status?: RackOrderStatus
}

/**
 * Served by rack_orders_user_id_id_idx with a user, rack_orders_user_id_status_idx with a user and
 * a status, rack_orders_status_id_idx with a status alone, and the primary key otherwise.
 */
const orderWhere = (filter: OrderFilter) =>
  and(
    filter.userId !== undefined ? eq(rackOrders.userId, filter.userId) : undefined,
    filter.status ? eq(rackOrders.status, filter.status) : undefined,
  )

export async function listOrders(
  db: Db,
  filter: OrderFilter,
  window: PageWindow,
): Promise<RackOrderWithItems[]> {
  const orders = await db
    .select(rackOrderColumns)
    .from(rackOrders)
    .where(and(orderWhere(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
  return withItems(db, orders)
}

export async function countOrders(db: Db, filter: OrderFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(rackOrders).where(orderWhere(filter))
  return row?.n ?? 0
}

export async function findOrder(
  db: Db,
  id: number,
  viewer: AuthUser,
): Promise<RackOrderWithItems | undefined> {
  const [order] = await db
    .select(rackOrderColumns)
    .from(rackOrders)
    .where(and(eq(rackOrders.id, id), visibleTo(viewer)))
  return order ? (await withItems(db, [order]))[0] : undefined
}

/** Attaches their lines to a page of orders with one query (rack_order_items_rack_order_id_idx). */
export async function withItems(db: Db, orders: RackOrderRow[]): Promise<RackOrderWithItems[]> {
  if (orders.length === 0) return []
  const lines = await db
    .select(rackOrderItemColumns)
    .from(rackOrderItems)
    .where(inArray(rackOrderItems.rackOrderId, orders.map((o) => o.id)))
    .orderBy(asc(rackOrderItems.rackOrderId), asc(rackOrderItems.id))
  const byOrder = Map.groupBy(lines, (line) => line.rackOrderId)
  return orders.map((order) => ({ ...order, items: byOrder.get(order.id) ?? [] }))
}
