import { z } from '@hono/zod-openapi'
import { PageQuery } from '../../http/pagination'
import { iso } from '../../lib/serialize'
import type { ItemRow } from '../../services/items/items'

export const ItemKind = z.enum(['rental', 'merchandise'])

export const ItemSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    kind: ItemKind,
    price_cents: z.number().int(),
    stock: z.number().int(),
    is_active: z.boolean(),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Item')

export const toItem = (i: ItemRow) => ({
  id: i.id,
  name: i.name,
  description: i.description,
  kind: i.kind,
  price_cents: i.priceCents,
  stock: i.stock,
  is_active: i.isActive,
  created_at: iso(i.createdAt),
  updated_at: iso(i.updatedAt),
})

export const ItemQuery = PageQuery.extend({
  kind: ItemKind.optional().openapi({ description: 'Only items of this kind' }),
})

export const ItemCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).optional(),
    kind: ItemKind,
    price_cents: z.number().int().min(0).max(100_000_000),
    stock: z.number().int().min(0).max(1_000_000_000),
    is_active: z.boolean().optional(),
  })
  .strict()
  .openapi('ItemCreate')

export const ItemUpdate = ItemCreate.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required')
  .openapi('ItemUpdate')

export const fromItemInput = (v: Partial<z.infer<typeof ItemCreate>>) => ({
  name: v.name,
  description: v.description,
  kind: v.kind,
  priceCents: v.price_cents,
  stock: v.stock,
  isActive: v.is_active,
})
