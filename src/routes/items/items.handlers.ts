import type { AppRouteHandler } from '../../app/context'
import { paginate } from '../../http/pagination'
import { notFound } from '../../http/problem'
import { items } from '../../db/schema'
import * as service from '../../services/items/items'
import type * as routes from './items.routes'
import { fromItemInput, toItem } from './items.schemas'

const byId = {
  sort: items.id,
  id: items.id,
  direction: 'asc' as const,
  key: (i: service.ItemRow): [number, number] => [i.id, i.id],
}

function listOf(onlyActive: boolean) {
  return async (c: Parameters<AppRouteHandler<typeof routes.list>>[0]) => {
    const { db } = c.var.deps.database
    const query = c.req.valid('query')
    const filter = { onlyActive, kind: query.kind }
    const page = await paginate(c, {
      query,
      keyset: byId,
      rows: (window) => service.listItems(db, filter, window),
      total: () => service.countItems(db, filter),
      map: toItem,
    })
    return c.json(page, 200)
  }
}

export const list: AppRouteHandler<typeof routes.list> = listOf(true)
export const adminList: AppRouteHandler<typeof routes.adminList> = listOf(false)

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const item = await service.findItem(c.var.deps.database.db, c.req.valid('param').id, true)
  if (!item) throw notFound('item')
  return c.json(toItem(item), 200)
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = fromItemInput(c.req.valid('json'))
  const item = await service.createItem(c.var.deps.database.db, {
    ...input,
    name: input.name!,
    kind: input.kind!,
    priceCents: input.priceCents!,
    stock: input.stock!,
  })
  return c.json(toItem(item), 201)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const item = await service.updateItem(
    c.var.deps.database.db,
    c.req.valid('param').id,
    fromItemInput(c.req.valid('json')),
  )
  if (!item) throw notFound('item')
  return c.json(toItem(item), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const done = await service.deactivateItem(c.var.deps.database.db, c.req.valid('param').id)
  if (!done) throw notFound('item')
  return c.body(null, 204)
}
