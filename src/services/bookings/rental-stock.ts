import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookingItems, bookings, items } from '../../db/schema'
import { ServiceError, type FieldError } from '../errors'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface RentalLine {
  itemId: number
  quantity: number
  unitPriceCents: number
  stock: number
}

const period = (start: Date, end: Date) =>
  sql`tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, '[)')`
const bookingPeriod = sql`tstzrange(${bookings.startDatetime}, ${bookings.endDatetime}, '[)')`
const active = inArray(bookings.status, ['pending', 'confirmed'])

/** Locks the requested items and snapshots their prices; names every one that cannot be rented. */
export async function lockRentals(tx: Tx, wanted: readonly { itemId: number; quantity: number }[]) {
  const lines: RentalLine[] = []
  const errors: FieldError[] = []
  if (wanted.length === 0) return { lines, errors }
  const rows = await tx
    .select({
      id: items.id,
      kind: items.kind,
      priceCents: items.priceCents,
      stock: items.stock,
      isActive: items.isActive,
    })
    .from(items)
    .where(
      inArray(
        items.id,
        wanted.map((w) => w.itemId),
      ),
    )
    .orderBy(asc(items.id))
    // NO KEY UPDATE serializes bookings of an item yet still lets other rows reference it.
    .for('no key update')
  const byId = new Map(rows.map((row) => [row.id, row]))
  wanted.forEach((w, index) => {
    const item = byId.get(w.itemId)
    const path = `items.${index}.item_id`
    if (!item?.isActive) errors.push({ path, message: `no active item has id ${w.itemId}` })
    else if (item.kind !== 'rental') {
      errors.push({ path, message: `item ${w.itemId} is merchandise, not a rental item` })
    } else {
      lines.push({
        itemId: w.itemId,
        quantity: w.quantity,
        unitPriceCents: item.priceCents,
        stock: item.stock,
      })
    }
  })
  return { lines, errors }
}

/**
 * Refuses the booking when any item would be rented beyond its stock during the slot; a booking
 * being moved (`except`) does not count against itself.
 */
export async function ensureStock(
  tx: Tx,
  lines: RentalLine[],
  start: Date,
  end: Date,
  except?: number,
) {
  if (lines.length === 0) return
  const booked = await tx
    .select({
      itemId: bookingItems.itemId,
      quantity: sql<number>`sum(${bookingItems.quantity})::int`,
    })
    .from(bookingItems)
    .innerJoin(bookings, eq(bookings.id, bookingItems.bookingId))
    .where(
      and(
        inArray(
          bookingItems.itemId,
          lines.map((l) => l.itemId),
        ),
        active,
        sql`${bookingPeriod} && ${period(start, end)}`,
        except === undefined ? undefined : ne(bookings.id, except),
      ),
    )
    .groupBy(bookingItems.itemId)
  const bookedOf = new Map(booked.map((row) => [row.itemId, Number(row.quantity)]))
  const short = lines
    .map((line) => ({
      ...line,
      available: Math.max(line.stock - (bookedOf.get(line.itemId) ?? 0), 0),
    }))
    .filter((line) => line.quantity > line.available)
  if (short.length > 0) {
    const detail = short
      .map((s) => `item ${s.itemId} has ${s.available} left, ${s.quantity} requested`)
      .join('; ')
    throw new ServiceError('conflict', `Not enough stock for this slot: ${detail}.`, {
      type: 'insufficient-stock',
      extensions: {
        items: short.map((s) => ({
          item_id: s.itemId,
          requested: s.quantity,
          available: s.available,
        })),
      },
    })
  }
}
