import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { regularPrograms, venues } from '../../src/db/schema'
import { readJson, testApp, uniq, usingPostgres, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { insertUsers, type BulkUser } from '../support/bulk-users'

const PEOPLE = 120
const SEATS = 9

let t: TestApp
let admin: TestUser
let people: BulkUser[] = []
const venueIds: number[] = []
const programIds: number[] = []

beforeAll(async () => {
  if (!usingPostgres) return
  t = await testApp()
  admin = await makeUser(t, 'admin')
  people = await insertUsers(t, PEOPLE)
})

afterAll(async () => {
  if (!usingPostgres) return
  await removeUsers(t, [admin.id, ...people.map((p) => p.id)])
  const { db } = t.database
  if (programIds.length) {
    await db.delete(regularPrograms).where(inArray(regularPrograms.id, programIds))
  }
  if (venueIds.length) await db.delete(venues).where(inArray(venues.id, venueIds))
})

describe('concurrent enrolment (PostgreSQL)', () => {
  test.skipIf(!usingPostgres)(
    `${PEOPLE} people racing for ${SEATS} seats: exactly ${SEATS} get one`,
    async () => {
      const venue = await readJson(
        await t.app.request(
          '/api/admin/venues',
          jsonInit(
            'POST',
            { name: `Dojo ${uniq()}`, capacity: 50, hourly_price_cents: 0 },
            admin.auth,
          ),
        ),
      )
      venueIds.push(venue.id)
      const created = await t.app.request(
        '/api/admin/programs',
        jsonInit(
          'POST',
          {
            venue_id: venue.id,
            name: `Judo ${uniq()}`,
            weekdays: [2, 4],
            start_time: '19:00',
            duration_minutes: 60,
            starts_on: '2032-01-05',
            ends_on: '2032-06-30',
            capacity: SEATS,
            price_cents: 5000,
          },
          admin.auth,
        ),
      )
      const program = await readJson(created)
      programIds.push(program.id)

      const server = serve(t)
      let statuses: number[]
      try {
        statuses = await Promise.all(
          people.map(async (person) => {
            const res = await fetch(`${server.url}/api/programs/${program.id}/enroll`, {
              method: 'POST',
              headers: person.auth,
            })
            await res.arrayBuffer()
            return res.status
          }),
        )
      } finally {
        server.stop()
      }

      expect(statuses.filter((s) => s === 201)).toHaveLength(SEATS)
      expect(statuses.filter((s) => s === 409)).toHaveLength(PEOPLE - SEATS)
      const after = await readJson(await t.app.request(`/api/programs/${program.id}`))
      expect(after.enrolled).toBe(SEATS)
    },
    60_000,
  )
})
