import { describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { bookings, venueOccupancies } from '../../src/db/schema'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'
import { readJson, uniq } from '../support/app'
import { jsonInit } from '../support/users'
import { adminAndUser, book, dateAhead, putRules, utcAt, weekdayOf } from './fixtures'

const s = adminAndUser()
const { f } = s

const day = dateAhead(10)

async function createProgram(venueId: number, over: object = {}) {
  const res = await s.t.app.request(
    '/api/admin/programs',
    jsonInit(
      'POST',
      {
        venue_id: venueId,
        name: `Early swim ${uniq()}`,
        weekdays: [weekdayOf(day)],
        start_time: '07:00',
        duration_minutes: 60,
        starts_on: day,
        ends_on: dateAhead(40),
        capacity: 10,
        price_cents: 5000,
        ...over,
      },
      s.admin.auth,
    ),
  )
  if (res.status === 201) f.track.program((await readJson(res.clone() as Response)).id)
  return res
}

describe('one occupancy model', () => {
  test('a booking over a weekly program session is 409 naming the session', async () => {
    const venue = await f.venue()
    const program = await readJson(await createProgram(venue))
    const res = await book(s.t, s.user, {
      venue_id: venue,
      start_datetime: utcAt(day, '07:15'),
      end_datetime: utcAt(day, '07:45'),
    })
    expect(res.status).toBe(409)
    expect((await readJson(res)).conflict).toEqual({
      source: 'program_session',
      program_id: program.id,
      start_datetime: utcAt(day, '07:00'),
      end_datetime: utcAt(day, '08:00'),
    })
    // the hour after the session is free
    const after = await book(s.t, s.user, {
      venue_id: venue,
      start_datetime: utcAt(day, '08:00'),
      end_datetime: utcAt(day, '09:00'),
    })
    expect(after.status).toBe(201)
  })

  test('a program whose sessions overlap active bookings is 409 listing each of them', async () => {
    const venue = await f.venue()
    const ids: number[] = []
    for (const [from, to] of [
      ['06:30', '07:10'],
      ['07:30', '08:30'],
    ] as const) {
      const res = await book(s.t, s.user, {
        venue_id: venue,
        start_datetime: utcAt(day, from),
        end_datetime: utcAt(day, to),
      })
      ids.push((await readJson(res)).id)
    }
    const res = await createProgram(venue)
    expect(res.status).toBe(409)
    const problem = await readJson(res)
    expect(problem.type).toBe('urn:problem:sessions-overlap')
    expect(problem.conflicts).toEqual([
      {
        source: 'booking',
        booking_id: ids[0],
        start_datetime: utcAt(day, '06:30'),
        end_datetime: utcAt(day, '07:10'),
      },
      {
        source: 'booking',
        booking_id: ids[1],
        start_datetime: utcAt(day, '07:30'),
        end_datetime: utcAt(day, '08:30'),
      },
    ])
    const stored = await s.t.database.db
      .select({ id: venueOccupancies.id })
      .from(venueOccupancies)
      .where(eq(venueOccupancies.venueId, venue))
    expect(stored.length).toBe(2)
  })

  test('moving a program onto a booking is 409 and leaves the program as it was', async () => {
    const venue = await f.venue()
    const program = await readJson(await createProgram(venue))
    const taken = await book(s.t, s.user, {
      venue_id: venue,
      start_datetime: utcAt(day, '09:00'),
      end_datetime: utcAt(day, '10:00'),
    })
    const bookingId = (await readJson(taken)).id
    const path = `/api/admin/programs/${program.id}`
    const res = await s.t.app.request(
      path,
      jsonInit('PATCH', { start_time: '09:30' }, s.admin.auth),
    )
    expect(res.status).toBe(409)
    expect((await readJson(res)).conflicts).toEqual([
      expect.objectContaining({ source: 'booking', booking_id: bookingId }),
    ])
    expect((await readJson(await s.t.app.request(`/api/programs/${program.id}`))).start_time).toBe(
      '07:00',
    )
    // and the session still holds its own hour
    const clash = await book(s.t, s.user, {
      venue_id: venue,
      start_datetime: utcAt(day, '07:00'),
      end_datetime: utcAt(day, '07:30'),
    })
    expect(clash.status).toBe(409)
  })

  test('a program moved to a free time frees its old hour; a deleted program frees them all', async () => {
    const venue = await f.venue()
    const program = await readJson(await createProgram(venue))
    const path = `/api/admin/programs/${program.id}`
    const moved = await s.t.app.request(
      path,
      jsonInit('PATCH', { start_time: '12:00' }, s.admin.auth),
    )
    expect(moved.status).toBe(200)
    const old = {
      venue_id: venue,
      start_datetime: utcAt(day, '07:00'),
      end_datetime: utcAt(day, '08:00'),
    }
    expect((await book(s.t, s.user, old)).status).toBe(201)
    const noon = {
      venue_id: venue,
      start_datetime: utcAt(day, '12:00'),
      end_datetime: utcAt(day, '12:30'),
    }
    expect((await book(s.t, s.user, noon)).status).toBe(409)
    await s.t.app.request(path, { method: 'DELETE', headers: s.admin.auth })
    expect((await book(s.t, s.user, noon)).status).toBe(201)
  })

  test('the database itself refuses a booking row over a session, whatever writes it', async () => {
    const venue = await f.venue()
    await createProgram(venue)
    const insert = s.t.database.db.insert(bookings).values({
      userId: s.user.id,
      venueId: venue,
      kind: 'single',
      startDatetime: new Date(utcAt(day, '07:30')),
      endDatetime: new Date(utcAt(day, '08:30')),
      status: 'confirmed',
      totalCents: 0,
    })
    await expect(insert.execute()).rejects.toThrow()
    const rows = await s.t.database.db
      .select({ id: bookings.id })
      .from(bookings)
      .where(eq(bookings.venueId, venue))
    expect(rows).toEqual([])
  })

  test('a venue buffer keeps that many minutes free after each booking', async () => {
    const venue = await f.venue()
    const rules = await putRules(s.t, s.admin, venue, {
      opening_hours: AROUND_THE_CLOCK,
      buffer_minutes: 15,
      slot_minutes: 15,
    })
    expect(rules.status).toBe(200)
    const first = {
      venue_id: venue,
      start_datetime: utcAt(day, '10:00'),
      end_datetime: utcAt(day, '11:00'),
    }
    expect((await book(s.t, s.user, first)).status).toBe(201)
    const touching = {
      venue_id: venue,
      start_datetime: utcAt(day, '11:00'),
      end_datetime: utcAt(day, '12:00'),
    }
    const res = await book(s.t, s.user, touching)
    expect(res.status).toBe(409)
    expect((await readJson(res)).detail).toContain('15-minute gap')
    const before = {
      venue_id: venue,
      start_datetime: utcAt(day, '09:00'),
      end_datetime: utcAt(day, '10:00'),
    }
    expect((await book(s.t, s.user, before)).status).toBe(409)
    const later = {
      venue_id: venue,
      start_datetime: utcAt(day, '11:15'),
      end_datetime: utcAt(day, '12:00'),
    }
    expect((await book(s.t, s.user, later)).status).toBe(201)
  })
})
