import { crudHandlers } from '../../http/crud/crud-handlers'
import { itemService } from '../../services/items/items'
import { Item, ItemInput } from './items.schemas'

export const { list, get, adminList, create, update, remove } = crudHandlers({
  service: itemService,
  toJson: Item.toJson,
  fromCreate: ItemInput.fromCreate,
  fromUpdate: ItemInput.fromUpdate,
})
