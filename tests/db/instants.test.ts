import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/client'
import { venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { makeUser, removeUsers, type TestUser } from '../support/users'

let t: TestApp
let admin: TestUser
let owner: TestUser
let venueId: number

// Written straight to the database, as an import or a hand fix would: the API itself only ever
// writes whole milliseconds.
const starts = [
  '2033-05-01T10:00:00.000400Z',
  '2033-05-01T10:00:00.000600Z',
  '2033-05-01T11:00:00.123456Z',
]

beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  owner = await makeUser(t)
  const [venue] = await t.database.db
    .insert(venues)
    .values({ name: `Instants hall ${uniq()}`, capacity: 5, hourlyPriceCents: 1000 })
    .returning({ id: venues.id })
  venueId = venue!.id
  for (const [i, start] of starts.entries()) {
    await t.database.db.execute(sql`
      insert into bookings (user_id, venue_id, start_datetime, end_datetime, status, total_cents)
      values (${owner.id}, ${venueId}, ${start}::timestamptz,
              ${start}::timestamptz + interval '30 minutes', ${i === 0 ? 'cancelled' : 'confirmed'},
              0)`)
  }
})

afterAll(async () => {
  await removeUsers(t, [admin.id, owner.id])
  await t.database.db.delete(venues).where(eq(venues.id, venueId))
})

describe('instants are stored to the millisecond', () => {
  test('a sub-millisecond instant written directly is rounded to the millisecond', async () => {
    const rows = await queryRows<{ start: string }>(
      t.database.db,
      sql`select to_char(start_datetime at time zone 'UTC', 'HH24:MI:SS.US') as start
            from bookings where venue_id = ${venueId} order by start_datetime`,
    )
    expect(rows.map((r) => r.start)).toEqual(['10:00:00.000000', '10:00:00.001000', '11:00:00.123000'])
  })

  test('paging by cursor through such rows ends, with every row once', async () => {
    const seen: number[] = []
    let url: string | null = `/api/admin/bookings?venue_id=${venueId}&page_size=1`
    for (let pages = 0; url && pages < 10; pages++) {
      const res = await t.app.request(url, { headers: admin.auth })
      expect(res.status).toBe(200)
      const body = await readJson(res)
      seen.push(...body.items.map((b: { id: number }) => b.id))
      const cursor = body.pagination.next_cursor as string | null
      url = cursor ? `/api/admin/bookings?venue_id=${venueId}&page_size=1&cursor=${cursor}` : null
    }
    expect(url).toBeNull()
    expect(seen).toHaveLength(starts.length)
    expect(new Set(seen).size).toBe(starts.length)
  })

  test('an export of such rows ends, with every row once', async () => {
    const res = await t.app.request(
      `/api/admin/bookings/export?format=ndjson&venue_id=${venueId}`,
      { headers: admin.auth },
    )
    expect(res.status).toBe(200)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => l.start_datetime)).toEqual([
      '2033-05-01T10:00:00.000Z',
      '2033-05-01T10:00:00.001Z',
      '2033-05-01T11:00:00.123Z',
    ])
  })
})
