import { describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { bookings } from '../../src/db/schema'
import { usingPostgres } from '../support/app'
import type { TestUser } from '../support/users'
import { hoursAhead, minutesAfter, racers } from './fixtures'

const POSTS = 600
const WORKERS = 40

const race = racers(8)
const { f } = race

const send = (user: TestUser, path: string, body?: object) =>
  fetch(`${race.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...user.auth },
    body: body && JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: await res.text() }))

describe('booking a slot while its owner cancels the booking that holds it (PostgreSQL)', () => {
  test.skipIf(!usingPostgres)(
    `${POSTS} racing bookings of one slot, each winner cancelling at once: only 2xx and 409`,
    async () => {
      const venue = await f.venue()
      const start = hoursAhead(3)
      // Slots differ a little, so racers also conflict with one another, not only with the holder.
      const slot = (i: number) => {
        const from = minutesAfter(start, (i % 3) * 15)
        return { venue_id: venue, start_datetime: from, end_datetime: minutesAfter(from, 60) }
      }
      const answers: { route: string; status: number; body: string }[] = []
      let sent = 0
      const worker = async (w: number) => {
        const user = race.users[w % race.users.length]!
        while (sent < POSTS) {
          sent++
          const created = await send(user, '/api/bookings', slot(sent))
          answers.push({ route: 'book', ...created })
          // Once every booking is sent, winners keep theirs: the end state then has holders.
          if (created.status !== 201 || sent >= POSTS) continue
          const { id } = JSON.parse(created.body)
          answers.push({ route: 'cancel', ...(await send(user, `/api/bookings/${id}/cancel`)) })
        }
      }
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))

      const unexpected = answers.filter((a) => a.status >= 300 && a.status !== 409)
      expect(unexpected).toEqual([])
      const won = answers.filter((a) => a.route === 'book' && a.status === 201).length
      expect(won).toBeGreaterThan(1)
      const cancelled = answers.filter((a) => a.route === 'cancel' && a.status === 200).length

      const rows = await race.t.database.db
        .select({ status: bookings.status })
        .from(bookings)
        .where(eq(bookings.venueId, venue))
      expect(rows.length).toBe(won)
      expect(rows.filter((r) => r.status === 'cancelled').length).toBe(cancelled)
      // Every slot overlaps every other, so at most one booking may still hold the venue.
      expect(rows.filter((r) => r.status === 'confirmed').length).toBeLessThanOrEqual(1)
    },
    120_000,
  )
})
