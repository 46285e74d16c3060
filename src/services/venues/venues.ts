import { and, count, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { venues } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'
import { preparedOnce, preparedPage } from '../../db/prepared'

export const venueColumns = {
  id: venues.id,
  name: venues.name,
  description: venues.description,
  capacity: venues.capacity,
  hourlyPriceCents: venues.hourlyPriceCents,
  timezone: venues.timezone,
  isActive: venues.isActive,
  createdAt: venues.createdAt,
  updatedAt: venues.updatedAt,
}

export type VenueRow = {
  id: number
  name: string
  description: string
  capacity: number
  hourlyPriceCents: number
  timezone: string
  isActive: boolean
  createdAt: Date
  updatedAt: Date
}

export type VenueInput = {
  name: string
  description?: string
  capacity: number
  hourlyPriceCents: number
  timezone?: string
  isActive?: boolean
}

const filter = (onlyActive: boolean): SQL | undefined =>
  onlyActive ? eq(venues.isActive, true) : undefined

/** The public list and the admin one: prepared once per shape, like every hot list. */
export function listVenues(db: Db, onlyActive: boolean, window: PageWindow): Promise<VenueRow[]> {
  return preparedPage(
    db,
    onlyActive ? 'active_venues' : 'venues',
    window,
    (w) =>
      db
        .select(venueColumns)
        .from(venues)
        .where(and(filter(onlyActive), w.after))
        .orderBy(...w.orderBy)
        .limit(w.limit)
        .offset(w.offset),
    {},
  )
}

export async function countVenues(db: Db, onlyActive: boolean): Promise<number> {
  const counted = preparedOnce(db, onlyActive ? 'count_active_venues' : 'count_venues', (name) =>
    db.select({ n: count() }).from(venues).where(filter(onlyActive)).prepare(name),
  )
  const [row] = await counted.execute()
  return row?.n ?? 0
}

export async function findVenue(db: Db, id: number, onlyActive: boolean) {
  const [row] = await db
    .select(venueColumns)
    .from(venues)
    .where(and(eq(venues.id, id), filter(onlyActive)))
  return row
}

export async function createVenue(db: Db, input: VenueInput): Promise<VenueRow> {
  const [row] = await db.insert(venues).values(input).returning(venueColumns)
  return row!
}

export async function updateVenue(db: Db, id: number, input: Partial<VenueInput>) {
  const [row] = await db
    .update(venues)
    .set({ ...input, updatedAt: new Date() })
    .where(eq(venues.id, id))
    .returning(venueColumns)
  return row
}

/** Venues are kept for their bookings' sake: deleting one deactivates it. */
export async function deactivateVenue(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(venues)
    .set({ isActive: false, updatedAt: new Date() })
    .where(eq(venues.id, id))
    .returning({ id: venues.id })
  return rows.length > 0
}
