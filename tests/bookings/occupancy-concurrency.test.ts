import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { regularPrograms, venueOccupancies } from '../../src/db/schema'
import { testApp, uniq, usingPostgres, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import type { TestUser } from '../support/users'
import { dateAhead, fixtures, utcAt, weekdayOf } from './fixtures'

const REQUESTS = 60

let t: TestApp
let server: ReturnType<typeof serve> | undefined
const f = fixtures(() => t)
let users: TestUser[] = []
let admin: TestUser
const programs: number[] = []

beforeAll(async () => {
  t = await testApp()
  if (!usingPostgres) return
  server = serve(t)
  ;[admin, ...users] = await Promise.all([
    f.user('admin'),
    ...Array.from({ length: 4 }, () => f.user()),
  ])
})
afterAll(async () => {
  server?.stop()
  if (programs.length) {
    await t.database.db.delete(regularPrograms).where(inArray(regularPrograms.id, programs))
  }
  await f.cleanup()
})

const send = (method: string, path: string, who: TestUser, body: object) =>
  fetch(`${server!.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...who.auth },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }))

const day = dateAhead(12)

/** Bookings that all overlap 10:00-11:00, starting on different minutes. */
const overlapping = (venue: number) =>
  Array.from({ length: REQUESTS }, (_, i) => ({
    venue_id: venue,
    start_datetime: new Date(Date.parse(utcAt(day, '09:31')) + (i % 59) * 60_000).toISOString(),
    end_datetime: new Date(Date.parse(utcAt(day, '10:30')) + (i % 59) * 60_000).toISOString(),
  }))

async function activeAround(venue: number) {
  return t.database.db
    .select({ source: venueOccupancies.source })
    .from(venueOccupancies)
    .where(
      and(
        eq(venueOccupancies.venueId, venue),
        eq(venueOccupancies.active, true),
        sql`tstzrange(${venueOccupancies.startsAt}, ${venueOccupancies.blockedUntil}, '[)')
            && tstzrange(${utcAt(day, '09:31')}::timestamptz, ${utcAt(day, '11:30')}::timestamptz, '[)')`,
      ),
    )
}

describe('the occupancy exclusion under concurrency (PostgreSQL)', () => {
  test.skipIf(!usingPostgres)(
    `${REQUESTS} overlapping bookings racing a new program over the same hour: one occupant`,
    async () => {
      const venue = await f.venue()
      const program = {
        venue_id: venue,
        name: `Race ${uniq()}`,
        weekdays: [weekdayOf(day)],
        start_time: '10:00',
        duration_minutes: 60,
        starts_on: day,
        ends_on: day,
        capacity: 5,
        price_cents: 100,
      }
      const bodies = overlapping(venue)
      const [created, ...answers] = await Promise.all([
        send('POST', '/api/admin/programs', admin, program),
        ...bodies.map((b, i) => send('POST', '/api/bookings', users[i % users.length]!, b)),
      ])
      if (created!.status === 201) programs.push(created!.body.id)
      const won = answers.filter((a) => a.status === 201).length
      expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true)
      expect([201, 409]).toContain(created!.status)
      expect(won).toBe(created!.status === 201 ? 0 : 1)
      const occupants = await activeAround(venue)
      expect(occupants.length).toBe(1)
      expect(occupants[0]!.source).toBe(created!.status === 201 ? 'program_session' : 'booking')
    },
    120_000,
  )

  test.skipIf(!usingPostgres)(
    `a reschedule racing ${REQUESTS} bookings for the same hour: exactly one holds it`,
    async () => {
      const venue = await f.venue()
      const owner = users[0]!
      const mine = await send('POST', '/api/bookings', owner, {
        venue_id: venue,
        start_datetime: utcAt(day, '06:00'),
        end_datetime: utcAt(day, '07:00'),
      })
      expect(mine.status).toBe(201)
      const [moved, ...answers] = await Promise.all([
        send('PATCH', `/api/bookings/${mine.body.id}`, owner, {
          start_datetime: utcAt(day, '10:00'),
          end_datetime: utcAt(day, '11:00'),
        }),
        ...overlapping(venue).map((b, i) => send('POST', '/api/bookings', users[1 + (i % 3)]!, b)),
      ])
      expect([200, 409]).toContain(moved!.status)
      const won = answers.filter((a) => a.status === 201).length
      expect(won).toBe(moved!.status === 200 ? 0 : 1)
      expect((await activeAround(venue)).length).toBe(1)
    },
    120_000,
  )
})
