import { z } from '@hono/zod-openapi'
import { rackOrderStatus } from '../../db/schema'
import { PageQuery } from '../../http/pagination'
import { optionalId } from '../../http/params'
import { iso } from '../../lib/serialize'
import type { RackOrderItemRow, RackOrderWithItems } from '../../services/rack-orders/rack-orders'

export const RackOrderStatus = z
  .enum(rackOrderStatus.enumValues)
  .openapi({
    description:
      'A new order is pending (its stock already taken); staff mark it paid, then fulfilled ' +
      'when handed over. Pending and paid orders can be cancelled, which puts the stock back.',
  })

export const RackOrderItemSchema = z
  .object({
    id: z.number().int(),
    item_id: z.number().int(),
    quantity: z.number().int(),
    unit_price_cents: z.number().int(),
  })
  .openapi('RackOrderItem')

export const RackOrderSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    status: RackOrderStatus,
    total_cents: z.number().int(),
    items: z.array(RackOrderItemSchema),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('RackOrder')

export type RackOrder = z.infer<typeof RackOrderSchema>

const toRackOrderItem = (i: RackOrderItemRow) => ({
  id: i.id,
  item_id: i.itemId,
  quantity: i.quantity,
  unit_price_cents: i.unitPriceCents,
})

export const toRackOrder = (o: RackOrderWithItems): RackOrder => ({
  id: o.id,
  user_id: o.userId,
  status: o.status,
  total_cents: o.totalCents,
  items: o.items.map(toRackOrderItem),
  created_at: iso(o.createdAt),
  updated_at: iso(o.updatedAt),
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
