import { and, asc, eq, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { inTransaction, preparedOnce } from '../../db/prepared'
import { bookingItems, bookings, items } from '../../db/schema'
import type { Tx } from '../../db/transaction'
import { ServiceError, type FieldError } from '../errors'

export interface RentalLine {
  itemId: number
  quantity: number
  unitPriceCents: number
  stock: number
}

/** One array parameter for a list of ids: one prepared statement whatever the list's length. */
const anyOf = (column: typeof items.id | typeof bookingItems.itemId) =>
  sql`${column} = any(${sql.placeholder('itemIds')}::bigint[])`

const rentalItemsStatement = (db: Db) =>
  preparedOnce(db, 'rental_items_locked', (name) =>
    db
      .select({
        id: items.id,
        kind: items.kind,
        priceCents: items.priceCents,
        stock: items.stock,
        isActive: items.isActive,
      })
      .from(items)
      .where(anyOf(items.id))
      .orderBy(asc(items.id))
      // NO KEY UPDATE serializes bookings of an item yet still lets other rows reference it.
      .for('no key update')
      .prepare(name),
  )

/** Locks the requested items and snapshots their prices; names every one that cannot be rented. */
export async function lockRentals(
  db: Db,
  tx: Tx,
  wanted: readonly { itemId: number; quantity: number }[],
) {
  const lines: RentalLine[] = []
  const errors: FieldError[] = []
  if (wanted.length === 0) return { lines, errors }
  const rows = await inTransaction(rentalItemsStatement(db), tx).execute({
    itemIds: wanted.map((w) => w.itemId),
  })
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

const bookingPeriod = sql`tstzrange(${bookings.startDatetime}, ${bookings.endDatetime}, '[)')`
const slot = sql`tstzrange(${sql.placeholder('start')}::timestamptz,
  ${sql.placeholder('end')}::timestamptz, '[)')`

// The statuses are written out, not bound, so a generic plan still uses the partial GiST index.
const bookedStatement = (db: Db, except: boolean) =>
  preparedOnce(db, except ? 'rental_booked_except' : 'rental_booked', (name) =>
    db
      .select({
        itemId: bookingItems.itemId,
        quantity: sql<number>`sum(${bookingItems.quantity})::int`,
      })
      .from(bookingItems)
      .innerJoin(bookings, eq(bookings.id, bookingItems.bookingId))
      .where(
        and(
          anyOf(bookingItems.itemId),
          sql`${bookings.status} in ('pending', 'confirmed')`,
          sql`${bookingPeriod} && ${slot}`,
          except ? ne(bookings.id, sql.placeholder('except')) : undefined,
        ),
      )
      .groupBy(bookingItems.itemId)
      .prepare(name),
  )

/**
 * Refuses the booking when any item would be rented beyond its stock during the slot; a booking
 * being moved (`except`) does not count against itself.
 */
export async function ensureStock(
  db: Db,
  tx: Tx,
  lines: RentalLine[],
  start: Date,
  end: Date,
  except?: number,
) {
  if (lines.length === 0) return
  const booked = await inTransaction(bookedStatement(db, except !== undefined), tx).execute({
    itemIds: lines.map((l) => l.itemId),
    start: start.toISOString(),
    end: end.toISOString(),
    except,
  })
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
