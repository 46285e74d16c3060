import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { ARGON2ID } from '../services/users/password-hashing'
import { items, regularPrograms, users, venues } from '../db/schema'

export const DEMO_PASSWORD = 'demo-password'

const demoVenues = [
  { name: 'Main Sports Hall', description: 'Full-size hall, 4 badminton courts', capacity: 120, hourlyPriceCents: 6000 },
  { name: 'Dance Studio A', description: 'Sprung floor, mirrors, sound system', capacity: 25, hourlyPriceCents: 3500 },
  { name: 'Dance Studio B', description: 'Small studio for private lessons', capacity: 10, hourlyPriceCents: 2500 },
  { name: 'Tennis Court 1', description: 'Outdoor hard court, floodlit', capacity: 4, hourlyPriceCents: 2000 },
  { name: 'Tennis Court 2', description: 'Outdoor hard court', capacity: 4, hourlyPriceCents: 1800 },
  { name: 'Squash Court', description: 'Glass-back squash court', capacity: 2, hourlyPriceCents: 1500 },
  { name: 'Meeting Room', description: 'Projector and whiteboard', capacity: 16, hourlyPriceCents: 2200 },
  { name: 'Recording Studio', description: 'Treated room with a vocal booth', capacity: 6, hourlyPriceCents: 4500 },
]

/** Enough practice courts that the bookings span about three years of 90-minute slots. */
const SLOTS_PER_VENUE = 16 * 365 * 3

function venuesFor(bookings: number) {
  const extra = Math.max(0, Math.ceil(bookings / SLOTS_PER_VENUE) - demoVenues.length)
  return [
    ...demoVenues,
    ...Array.from({ length: extra }, (_, i) => ({
      name: `Practice Court ${i + 1}`,
      description: 'Multi-use practice court',
      capacity: 8,
      hourlyPriceCents: 1200 + (i % 5) * 100,
    })),
  ]
}

const demoItems = [
  { name: 'Badminton racket', kind: 'rental' as const, priceCents: 300, stock: 40 },
  { name: 'Tennis racket', kind: 'rental' as const, priceCents: 400, stock: 30 },
  { name: 'Squash racket', kind: 'rental' as const, priceCents: 300, stock: 20 },
  { name: 'Projector', kind: 'rental' as const, priceCents: 1500, stock: 3 },
  { name: 'PA system', kind: 'rental' as const, priceCents: 2500, stock: 2 },
  { name: 'Club T-shirt', kind: 'merchandise' as const, priceCents: 1800, stock: 200 },
  { name: 'Water bottle', kind: 'merchandise' as const, priceCents: 900, stock: 300 },
  { name: 'Shuttlecock tube', kind: 'merchandise' as const, priceCents: 1200, stock: 150 },
  { name: 'Tennis balls (3)', kind: 'merchandise' as const, priceCents: 700, stock: 250 },
]

export interface DemoData {
  userIds: number[]
  venueIds: number[]
  rentalItemIds: number[]
}

/**
 * Demo venues, items, programs and users. Rows are matched by name or email, so running it again
 * adds nothing twice.
 */
export async function upsertDemoData(
  db: Db,
  counts: { users: number; bookings: number },
): Promise<DemoData> {
  const passwordHash = await Bun.password.hash(DEMO_PASSWORD, ARGON2ID)
  return db.transaction(async (tx) => {
    const venueIds: number[] = []
    for (const venue of venuesFor(counts.bookings)) {
      const [found] = await tx.select({ id: venues.id }).from(venues).where(sql`${venues.name} = ${venue.name}`)
      const id = found?.id ?? (await tx.insert(venues).values(venue).returning({ id: venues.id }))[0]!.id
      venueIds.push(id)
    }
    const rentalItemIds: number[] = []
    for (const item of demoItems) {
      const [found] = await tx.select({ id: items.id }).from(items).where(sql`${items.name} = ${item.name}`)
      const id = found?.id ?? (await tx.insert(items).values(item).returning({ id: items.id }))[0]!.id
      if (item.kind === 'rental' && item.stock >= 20) rentalItemIds.push(id)
    }
    const [program] = await tx
      .select({ id: regularPrograms.id })
      .from(regularPrograms)
      .where(sql`${regularPrograms.name} = 'Beginner badminton'`)
    if (!program) {
      const year = new Date().getUTCFullYear()
      await tx.insert(regularPrograms).values([
        {
          venueId: venueIds[0]!,
          name: 'Beginner badminton',
          description: 'Weekly coached session for new players',
          weekdays: [2, 4],
          startTime: '18:00',
          durationMinutes: 90,
          startsOn: `${year}-01-01`,
          endsOn: `${year + 1}-12-31`,
          capacity: 16,
          priceCents: 12000,
        },
        {
          venueId: venueIds[1]!,
          name: 'Saturday salsa',
          description: 'Partner dance class, all levels',
          weekdays: [6],
          startTime: '10:00',
          durationMinutes: 60,
          startsOn: `${year}-01-01`,
          endsOn: `${year + 1}-12-31`,
          capacity: 20,
          priceCents: 8000,
        },
      ])
    }
    const people = Array.from({ length: counts.users }, (_, i) => ({
      email: `demo-user-${i + 1}@example.com`,
      name: `Demo User ${i + 1}`,
      passwordHash,
    }))
    for (let i = 0; i < people.length; i += 1000) {
      await tx.insert(users).values(people.slice(i, i + 1000)).onConflictDoNothing()
    }
    const userRows = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`${users.email} like 'demo-user-%@example.com'`)
    return { userIds: userRows.map((u) => u.id), venueIds, rentalItemIds }
  })
}
