import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { itemService } from '../../services/items/items'
import type * as routes from './items.routes'
import { Item, ItemInput } from './items.schemas'

const handlers = crudHandlers({
  service: itemService,
  toJson: Item.toJson,
  fromCreate: ItemInput.fromCreate,
  fromUpdate: ItemInput.fromUpdate,
})

export const list: AppRouteHandler<typeof routes.list> = handlers.list
export const get: AppRouteHandler<typeof routes.get> = handlers.get
export const adminList: AppRouteHandler<typeof routes.adminList> = handlers.adminList
export const create: AppRouteHandler<typeof routes.create> = handlers.create
export const update: AppRouteHandler<typeof routes.update> = handlers.update
export const remove: AppRouteHandler<typeof routes.remove> = handlers.remove
