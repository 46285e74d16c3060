import { afterAll, beforeAll, expect, test } from 'bun:test'
import { and, asc, eq, ne } from 'drizzle-orm'
import { bookings } from '../../src/db/schema'
import { insertBulkBookings } from '../../src/seed/bulk-bookings'
import { testApp, type TestApp } from '../support/app'
import type { TestUser } from '../support/users'
import { fixtures } from '../bookings/fixtures'

let t: TestApp
const f = fixtures(() => t)
let owner: TestUser
let venueId: number
const startAt = new Date(Date.UTC(2033, 0, 1))
/** The seed's grid: booking n of one venue starts n 90-minute slots after `startAt`. */
const slot = (n: number) => new Date(startAt.getTime() + n * 90 * 60_000)

beforeAll(async () => {
  t = await testApp()
  owner = await f.user()
  venueId = await f.venue()
})

afterAll(() => f.cleanup())

// Benchmarks read random ids 1..max of the seeded bookings and expect each one to exist.
test('seeded bookings leave out a slot already taken, and their ids have no gap', async () => {
  const [taken] = await t.database.db
    .insert(bookings)
    .values({
      userId: owner.id,
      venueId,
      startDatetime: slot(3),
      endDatetime: new Date(slot(3).getTime() + 60 * 60_000),
      totalCents: 1000,
    })
    .returning({ id: bookings.id })

  await insertBulkBookings(t.database.db, {
    count: 10,
    userIds: [owner.id],
    venueIds: [venueId],
    startAt,
  })

  const seeded = await t.database.db
    .select({ id: bookings.id, start: bookings.startDatetime })
    .from(bookings)
    .where(and(eq(bookings.venueId, venueId), ne(bookings.id, taken!.id)))
    .orderBy(asc(bookings.id))
  expect(seeded.map((b) => new Date(b.start).getTime())).not.toContain(slot(3).getTime())
  expect(seeded).toHaveLength(9)
  expect(seeded.at(-1)!.id - seeded[0]!.id).toBe(8)
})
