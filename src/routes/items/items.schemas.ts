import { z } from '@hono/zod-openapi'
import { itemKind, items } from '../../db/schema'
import { jsonInput, jsonView, requiring, serverManaged } from '../../http/table-json'
import { createInsertSchema, createSelectSchema } from '../../http/table-schemas'
import { PageQuery } from '../../http/pagination'

export const Item = jsonView(createSelectSchema(items))
export const ItemSchema = Item.schema.openapi('Item')

export const ItemQuery = PageQuery.extend({
  kind: z.enum(itemKind.enumValues).optional().openapi({ description: 'Only items of this kind' }),
})

const ItemFields = createInsertSchema(items, {
  name: (s) => s.trim().min(1).max(200),
  description: (s) => s.max(5000),
  priceCents: (s) => s.min(0).max(100_000_000),
  stock: (s) => s.min(0).max(1_000_000_000),
}).omit(serverManaged)

// The table starts stock at 0; the API asks for it on create all the same.
export const ItemInput = jsonInput(requiring(ItemFields, ['stock']))
export const ItemCreate = ItemInput.create.openapi('ItemCreate')
export const ItemUpdate = ItemInput.update.openapi('ItemUpdate')
