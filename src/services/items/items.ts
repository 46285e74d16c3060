import { and, count, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { items } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'

export type ItemKind = 'rental' | 'merchandise'

export const itemColumns = {
  id: items.id,
  name: items.name,
  description: items.description,
  kind: items.kind,
  priceCents: items.priceCents,
  stock: items.stock,
  isActive: items.isActive,
  createdAt: items.createdAt,
  updatedAt: items.updatedAt,
}

export type ItemRow = {
  id: number
  name: string
  description: string
  kind: ItemKind
  priceCents: number
  stock: number
  isActive: boolean
  createdAt: Date
  updatedAt: Date
}

export type ItemInput = {
  name: string
  description?: string
  kind: ItemKind
  priceCents: number
  stock: number
  isActive?: boolean
}

export interface ItemFilter {
  onlyActive: boolean
  kind?: ItemKind
}

/** Public reads (active, by kind) are served by items_active_kind_id_idx. */
const where = (filter: ItemFilter): SQL | undefined =>
  and(
    filter.onlyActive ? eq(items.isActive, true) : undefined,
    filter.kind ? eq(items.kind, filter.kind) : undefined,
  )

export function listItems(db: Db, filter: ItemFilter, window: PageWindow): Promise<ItemRow[]> {
  return db
    .select(itemColumns)
    .from(items)
    .where(and(where(filter), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
}

export async function countItems(db: Db, filter: ItemFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(items).where(where(filter))
  return row?.n ?? 0
}

export async function findItem(db: Db, id: number, onlyActive: boolean) {
  const [row] = await db
    .select(itemColumns)
    .from(items)
    .where(and(eq(items.id, id), where({ onlyActive })))
  return row
}

export async function createItem(db: Db, input: ItemInput): Promise<ItemRow> {
  const [row] = await db.insert(items).values(input).returning(itemColumns)
  return row!
}

export async function updateItem(db: Db, id: number, input: Partial<ItemInput>) {
  const [row] = await db
    .update(items)
    .set({ ...input, updatedAt: new Date() })
    .where(eq(items.id, id))
    .returning(itemColumns)
  return row
}

/** Bookings and rack orders point at items, so deleting one takes it off sale instead. */
export async function deactivateItem(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(items)
    .set({ isActive: false, updatedAt: new Date() })
    .where(eq(items.id, id))
    .returning({ id: items.id })
  return rows.length > 0
}
