import type { AppRouteHandler } from '../../app/context'
import { notFound } from '../../http/problem'
import { changeOrderStatus } from '../../services/rack-orders/order-status'
import * as service from '../../services/rack-orders/rack-orders'
import type * as routes from './admin-rack-orders.routes'
import { ordersPage } from './rack-orders.handlers'
import { toRackOrder } from './rack-orders.schemas'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const query = c.req.valid('query')
  const page = await ordersPage(c, query, { userId: query.user_id, status: query.status })
  return c.json(page, 200)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const order = await service.findOrder(c.var.deps.database.db, c.req.valid('param').id, c.var.user)
  if (!order) throw notFound('rack order')
  return c.json(toRackOrder(order), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const order = await changeOrderStatus(
    c.var.deps.database.db,
    c.req.valid('param').id,
    c.req.valid('json').status,
    c.var.user,
  )
  return c.json(toRackOrder(order), 200)
}
