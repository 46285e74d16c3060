import { and, asc, eq, getTableColumns, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { preparedCount, preparedOnce, preparedPage } from '../../db/prepared'
import { idArray } from '../../db/sql-literal'
import { rackOrderItems, rackOrders, rackOrderStatus } from '../../db/schema'
import type { AuthUser } from '../users/account'
import { inWindow, type PageWindow } from '../../db/keyset'

export type RackOrderStatus = (typeof rackOrderStatus.enumValues)[number]

export const rackOrderColumns = getTableColumns(rackOrders)
export const rackOrderItemColumns = getTableColumns(rackOrderItems)

export type RackOrderRow = typeof rackOrders.$inferSelect
export type RackOrderItemRow = typeof rackOrderItems.$inferSelect

export type RackOrderWithItems = RackOrderRow & { items: RackOrderItemRow[] }

/** Admins see every order; anyone else only their own (and a 404 for the rest). */
const seesOnlyOwn = (viewer: AuthUser) => viewer.role !== 'admin'

/** That rule as a condition: on the owner's id, bound (`viewer.id`) or a placeholder's. */
const ownedBy = (onlyOwn: boolean, userId: number | Placeholder): SQL | undefined =>
  onlyOwn ? eq(rackOrders.userId, userId) : undefined

/** The orders `viewer` may see, with its id bound: for a statement built per call. */
export const visibleTo = (viewer: AuthUser) => ownedBy(seesOnlyOwn(viewer), viewer.id)

/** Which orders a list shows: a user's own (`userId`), or any for an admin, by status. */
export interface OrderFilter {
  userId?: number
  status?: RackOrderStatus
}

/**
 * The filter with placeholders for the conditions it uses: one prepared statement per shape,
 * whose condition is built only when the statement is. Served by rack_orders_user_id_id_idx with
 * a user, rack_orders_user_id_status_idx with a user and a status, rack_orders_status_id_idx with
 * a status alone, and the primary key otherwise.
 */
function shapeOf(f: OrderFilter) {
  const byUser = f.userId !== undefined
  return {
    name: `rack_orders${byUser ? '_user' : ''}${f.status ? '_status' : ''}`,
    where: (): SQL | undefined =>
      and(
        byUser ? eq(rackOrders.userId, sql.placeholder('user_id')) : undefined,
        f.status ? eq(rackOrders.status, sql.placeholder('status')) : undefined,
      ),
    values: { user_id: f.userId, status: f.status },
  }
}

export async function listOrders(
  db: Db,
  filter: OrderFilter,
  window: PageWindow,
): Promise<RackOrderWithItems[]> {
  const shape = shapeOf(filter)
  const orders = await preparedPage(
    db,
    shape.name,
    window,
    (w) => inWindow(db.select(rackOrderColumns).from(rackOrders).$dynamic(), shape.where(), w),
    shape.values,
  )
  return withItems(db, orders)
}

/** The orders `filter` picks, counted up to `upTo` + 1 (see `countUpToQuery`). */
export function countOrders(db: Db, filter: OrderFilter, upTo: number): Promise<number> {
  const shape = shapeOf(filter)
  return preparedCount(db, shape.name, rackOrders, shape.where, shape.values, upTo)
}

/** One order by id as `visibleTo` allows, prepared once per side of the rule. */
const orderById = (db: Db, onlyOwn: boolean) =>
  preparedOnce(db, onlyOwn ? 'own_rack_order_by_id' : 'rack_order_by_id', (name) =>
    db
      .select(rackOrderColumns)
      .from(rackOrders)
      .where(
        and(
          eq(rackOrders.id, sql.placeholder('id')),
          ownedBy(onlyOwn, sql.placeholder('user_id')),
        ),
      )
      .prepare(name),
  )

export async function findOrder(
  db: Db,
  id: number,
  viewer: AuthUser,
): Promise<RackOrderWithItems | undefined> {
  const [order] = await orderById(db, seesOnlyOwn(viewer)).execute({
    id,
    user_id: viewer.id,
  })
  return order ? (await withItems(db, [order]))[0] : undefined
}

/** The lines of several orders, one array parameter (rack_order_items_rack_order_id_idx). */
const linesOfOrders = (db: Db) =>
  preparedOnce(db, 'lines_of_rack_orders', (name) =>
    db
      .select(rackOrderItemColumns)
      .from(rackOrderItems)
      .where(sql`${rackOrderItems.rackOrderId} = any(${sql.placeholder('ids')}::bigint[])`)
      .orderBy(asc(rackOrderItems.rackOrderId), asc(rackOrderItems.id))
      .prepare(name),
  )

/** Attaches their lines to a page of orders with one query. */
export async function withItems(db: Db, orders: RackOrderRow[]): Promise<RackOrderWithItems[]> {
  if (orders.length === 0) return []
  const lines = await linesOfOrders(db).execute({ ids: idArray(orders.map((o) => o.id)) })
  const byOrder = Map.groupBy(lines, (line) => line.rackOrderId)
  return orders.map((order) => ({ ...order, items: byOrder.get(order.id) ?? [] }))
}
