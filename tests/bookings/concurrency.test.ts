import { describe, expect, test } from 'bun:test'
import { and, count, eq, inArray, sql } from 'drizzle-orm'
import { bookingItems, bookings } from '../../src/db/schema'
import { usingPostgres } from '../support/app'
import { book, hoursAhead, minutesAfter, racers } from './fixtures'

const REQUESTS = 120

const race = racers(4)
const { f } = race

/** Fires every request at once over real HTTP and returns their statuses. */
async function fireAll(bodies: object[]): Promise<number[]> {
  const responses = await Promise.all(
    bodies.map((body, i) =>
      fetch(`${race.url}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...race.users[i % race.users.length]!.auth },
        body: JSON.stringify(body),
      }),
    ),
  )
  return Promise.all(responses.map(async (res) => (await res.arrayBuffer(), res.status)))
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {})

describe('concurrent bookings on PostgreSQL', () => {
  test.skipIf(!usingPostgres)(
    `${REQUESTS} simultaneous bookings of one slot: exactly one wins, the rest get 409`,
    async () => {
      const venue = await f.venue()
      const start = hoursAhead(1)
      const body = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
      const statuses = await fireAll(Array.from({ length: REQUESTS }, () => body))
      expect(tally(statuses)).toEqual({ 201: 1, 409: REQUESTS - 1 })

      const [active] = await race.t.database.db
        .select({ n: count() })
        .from(bookings)
        .where(and(eq(bookings.venueId, venue), inArray(bookings.status, ['pending', 'confirmed'])))
      expect(active!.n).toBe(1)
    },
    60_000,
  )

  test.skipIf(!usingPostgres)(
    `${REQUESTS} simultaneous bookings of different venues want the last units: only those go`,
    async () => {
      const STOCK = 8
      const LEFT = 5
      const item = await f.item({ stock: STOCK })
      const start = hoursAhead(2)
      const earlier = await book(race.t, race.users[0]!, {
        venue_id: await f.venue(),
        start_datetime: start,
        end_datetime: minutesAfter(start, 120),
        items: [{ item_id: item, quantity: STOCK - LEFT }],
      })
      expect(earlier.status).toBe(201)

      const venues = await f.venues(REQUESTS)
      // Slots differ, but all overlap [start + 45 min, start + 60 min) and the earlier booking.
      const bodies = venues.map((venue, i) => {
        const from = minutesAfter(start, (i % 4) * 15)
        return {
          venue_id: venue,
          start_datetime: from,
          end_datetime: minutesAfter(from, 60),
          items: [{ item_id: item, quantity: 1 }],
        }
      })
      const statuses = await fireAll(bodies)
      expect(tally(statuses)).toEqual({ 201: LEFT, 409: REQUESTS - LEFT })

      const [rented] = await race.t.database.db
        .select({ units: sql<number>`coalesce(sum(${bookingItems.quantity}), 0)::int`, n: count() })
        .from(bookingItems)
        .innerJoin(bookings, eq(bookings.id, bookingItems.bookingId))
        .where(
          and(eq(bookingItems.itemId, item), inArray(bookings.status, ['pending', 'confirmed'])),
        )
      expect(rented).toEqual({ units: STOCK, n: LEFT + 1 })
      const [won] = await race.t.database.db
        .select({ n: count() })
        .from(bookings)
        .where(inArray(bookings.venueId, venues))
      expect(won!.n).toBe(LEFT)
    },
    60_000,
  )
})
