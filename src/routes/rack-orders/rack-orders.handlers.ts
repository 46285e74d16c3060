import type { Context } from 'hono'
import type { AppEnv, AppRouteHandler } from '../../app/context'
import { idempotent } from '../../http/idempotency'
import { paginate, type PageQuery } from '../../http/pagination'
import { notFound } from '../../http/problem'
import { rackOrders } from '../../db/schema'
import { changeOrderStatus } from '../../services/rack-orders/order-status'
import { placeOrder } from '../../services/rack-orders/place-order'
import * as service from '../../services/rack-orders/rack-orders'
import type * as routes from './rack-orders.routes'
import { toRackOrder } from './rack-orders.schemas'

const newestFirst = {
  sort: rackOrders.id,
  id: rackOrders.id,
  direction: 'desc' as const,
  key: (o: service.RackOrderRow): [number, number] => [o.id, o.id],
}

/** A page of the orders `filter` picks, newest first: a user's own list and the admin list. */
export function ordersPage(c: Context<AppEnv>, query: PageQuery, filter: service.OrderFilter) {
  const { db } = c.var.deps.database
  return paginate(c, {
    query,
    keyset: newestFirst,
    rows: (window) => service.listOrders(db, filter, window),
    total: (upTo) => service.countOrders(db, filter, upTo),
    map: toRackOrder,
  })
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const body = c.req.valid('json')
  const lines = body.items.map((line) => ({ itemId: line.item_id, quantity: line.quantity }))
  const outcome = await idempotent(c, 'POST /api/rack-orders', body, {
    run: (beforeCommit) => placeOrder(c.var.deps.database.db, c.var.user.id, lines, beforeCommit),
    answer: (order: service.RackOrderWithItems) => ({
      status: 201 as const,
      body: toRackOrder(order),
    }),
  })
  if (outcome.replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(outcome.body, 201)
}

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const query = c.req.valid('query')
  const page = await ordersPage(c, query, { userId: c.var.user.id, status: query.status })
  return c.json(page, 200)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const order = await service.findOrder(c.var.deps.database.db, c.req.valid('param').id, c.var.user)
  if (!order) throw notFound('rack order')
  return c.json(toRackOrder(order), 200)
}

export const cancel: AppRouteHandler<typeof routes.cancel> = async (c) => {
  const { id } = c.req.valid('param')
  const order = await changeOrderStatus(c.var.deps.database.db, id, 'cancelled', c.var.user)
  return c.json(toRackOrder(order), 200)
}
