import { z } from '@hono/zod-openapi'
import { rackOrderItems, rackOrders, rackOrderStatus } from '../../db/schema'
import { PageQuery } from '../../http/pagination'
import { optionalId } from '../../http/params'
import { jsonView } from '../../http/table-json'
import { createSelectSchema } from '../../http/table-schemas'
import type { RackOrderWithItems } from '../../services/rack-orders/rack-orders'

export const RackOrderStatus = z
  .enum(rackOrderStatus.enumValues)
  .openapi({
    description:
      'A new order is pending (its stock already taken); staff mark it paid, then fulfilled ' +
      'when handed over. Pending and paid orders can be cancelled, which puts the stock back.',
  })

const RackOrderJson = jsonView(createSelectSchema(rackOrders, { status: RackOrderStatus }))
const RackOrderItemJson = jsonView(createSelectSchema(rackOrderItems), { omit: ['rackOrderId'] })

export const RackOrderItemSchema = RackOrderItemJson.schema.openapi('RackOrderItem')

export const RackOrderSchema = RackOrderJson.schema
  .extend({ items: z.array(RackOrderItemSchema) })
  .openapi('RackOrder')

export type RackOrder = z.infer<typeof RackOrderSchema>

export const toRackOrder = (o: RackOrderWithItems): RackOrder => ({
  ...RackOrderJson.toJson(o),
  items: o.items.map(RackOrderItemJson.toJson),
})

export const RackOrderCreate = z
  .object({
    items: z
      .array(
        z
          .object({
            item_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
            quantity: z.number().int().min(1).max(1000),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .openapi({ description: 'Merchandise to buy; lines of the same item are added up' }),
  })
  .strict()
  .openapi('RackOrderCreate')

export const RackOrderQuery = PageQuery.extend({
  status: RackOrderStatus.optional().openapi({ description: 'Only orders in this status' }),
})

export const AdminRackOrderQuery = RackOrderQuery.extend({ user_id: optionalId('user_id') })

export const RackOrderStatusUpdate = z
  .object({ status: RackOrderStatus })
  .strict()
  .openapi('RackOrderStatusUpdate', {
    description:
      'pending -> paid or cancelled; paid -> fulfilled or cancelled. Setting the current status ' +
      'again changes nothing; any other change is 409. Cancelling puts the stock back.',
  })
