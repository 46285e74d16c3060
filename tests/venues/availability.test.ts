import { describe, expect, test } from 'bun:test'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'
import { adminAndUser, book, dateAhead, putRules, utcAt, weekdayOf } from '../bookings/fixtures'
import { readJson, uniq } from '../support/app'
import { jsonInit } from '../support/users'

const s = adminAndUser()
const { f } = s

const day = dateAhead(7)

const availability = async (venue: number, query: string) => {
  const res = await s.t.app.request(`/api/venues/${venue}/availability?${query}`)
  return { status: res.status, body: await readJson(res) }
}

const starts = (body: { slots: { start: string }[] }) => body.slots.map((s) => s.start)

async function venueIn(timezone: string) {
  const res = await s.t.app.request(
    '/api/admin/venues',
    jsonInit(
      'POST',
      { name: `Hall ${uniq()}`, capacity: 5, hourly_price_cents: 1000, timezone },
      s.admin.auth,
    ),
  )
  const id = (await readJson(res)).id
  f.track.venue(id)
  return id
}

describe('GET /api/venues/{id}/availability', () => {
  test('lists the bookable starts within opening hours, around bookings, with the longest end', async () => {
    const venue = await f.venue()
    await putRules(s.t, s.admin, venue, {
      opening_hours: { [String(weekdayOf(day))]: [{ open: '08:00', close: '12:00' }] },
      slot_minutes: 60,
      min_minutes: 60,
      max_minutes: 120,
    })
    expect(
      (
        await book(s.t, s.user, {
          venue_id: venue,
          start_datetime: utcAt(day, '09:00'),
          end_datetime: utcAt(day, '10:00'),
        })
      ).status,
    ).toBe(201)
    const { status, body } = await availability(venue, `from=${day}`)
    expect(status).toBe(200)
    expect(body).toEqual({
      venue_id: venue,
      timezone: 'UTC',
      from: day,
      to: day,
      slot_minutes: 60,
      min_minutes: 60,
      max_minutes: 120,
      buffer_minutes: 0,
      slots: [
        { start: utcAt(day, '08:00'), end: utcAt(day, '09:00'), max_end: utcAt(day, '09:00') },
        { start: utcAt(day, '10:00'), end: utcAt(day, '11:00'), max_end: utcAt(day, '12:00') },
        { start: utcAt(day, '11:00'), end: utcAt(day, '12:00'), max_end: utcAt(day, '12:00') },
      ],
    })
    // every listed slot can really be booked
    const slot = body.slots[1]
    expect(
      (
        await book(s.t, s.user, {
          venue_id: venue,
          start_datetime: slot.start,
          end_datetime: slot.max_end,
        })
      ).status,
    ).toBe(201)
  })

  test('leaves out program sessions, buffers, and days the venue is closed', async () => {
    const venue = await f.venue()
    await putRules(s.t, s.admin, venue, {
      opening_hours: { [String(weekdayOf(day))]: [{ open: '06:00', close: '10:00' }] },
      slot_minutes: 30,
      min_minutes: 30,
      buffer_minutes: 30,
    })
    const res = await s.t.app.request(
      '/api/admin/programs',
      jsonInit(
        'POST',
        {
          venue_id: venue,
          name: `Swim ${uniq()}`,
          weekdays: [weekdayOf(day)],
          start_time: '07:00',
          duration_minutes: 60,
          starts_on: day,
          ends_on: day,
          capacity: 5,
          price_cents: 100,
        },
        s.admin.auth,
      ),
    )
    expect(res.status).toBe(201)
    f.track.program((await readJson(res)).id)
    const { body } = await availability(venue, `from=${dateAhead(6)}&to=${dateAhead(8)}`)
    // 06:00 (ends by 06:30, 30 minutes before the session), then from 08:30 (session + buffer)
    expect(starts(body)).toEqual(['06:00', '08:30', '09:00', '09:30'].map((h) => utcAt(day, h)))
    expect(body.slots[0].max_end).toBe(utcAt(day, '06:30'))
  })

  test('days when the clocks change have 23 and 25 bookable hours (Europe/Berlin)', async () => {
    const venue = await venueIn('Europe/Berlin')
    await putRules(s.t, s.admin, venue, {
      opening_hours: AROUND_THE_CLOCK,
      slot_minutes: 60,
      min_minutes: 60,
      max_advance_days: 1095,
    })
    const year = new Date().getUTCFullYear() + 1
    const lastSunday = (month: number) => {
      const last = new Date(Date.UTC(year, month + 1, 0))
      return new Date(last.getTime() - last.getUTCDay() * 86_400_000).toISOString().slice(0, 10)
    }
    const spring = await availability(venue, `from=${lastSunday(2)}`)
    expect(spring.body.slots.length).toBe(23)
    // local midnight is 23:00 UTC the day before (CET, UTC+1)
    expect(spring.body.slots[0].start).toBe(`${addDays(lastSunday(2), -1)}T23:00:00.000Z`)
    // 02:00 does not exist: 01:00 CET is followed by 03:00 CEST, one hour later
    expect(starts(spring.body).slice(1, 3)).toEqual([
      `${lastSunday(2)}T00:00:00.000Z`,
      `${lastSunday(2)}T01:00:00.000Z`,
    ])
    const autumn = await availability(venue, `from=${lastSunday(9)}`)
    expect(autumn.body.slots.length).toBe(25)
    // 02:00 happens twice: 00:00 and 01:00 UTC
    expect(starts(autumn.body).slice(2, 4)).toEqual([
      `${lastSunday(9)}T00:00:00.000Z`,
      `${lastSunday(9)}T01:00:00.000Z`,
    ])
  })

  test('around the clock, the last starts of a day run on past midnight', async () => {
    const venue = await f.venue()
    await putRules(s.t, s.admin, venue, {
      opening_hours: AROUND_THE_CLOCK,
      slot_minutes: 30,
      min_minutes: 60,
      max_minutes: 120,
    })
    const { body } = await availability(venue, `from=${day}`)
    expect(body.slots.length).toBe(48)
    const last = body.slots.at(-1)
    expect(last).toEqual({
      start: utcAt(day, '23:30'),
      end: utcAt(addDays(day, 1), '00:30'),
      max_end: utcAt(addDays(day, 1), '01:30'),
    })
    expect(
      (
        await book(s.t, s.user, {
          venue_id: venue,
          start_datetime: last.start,
          end_datetime: last.max_end,
        })
      ).status,
    ).toBe(201)
    // a day that ends at 24:00 with nothing open after it offers no start that would run past it
    const closing = await f.venue()
    await putRules(s.t, s.admin, closing, {
      opening_hours: { [String(weekdayOf(day))]: [{ open: '00:00', close: '24:00' }] },
      slot_minutes: 30,
      min_minutes: 60,
      max_minutes: 120,
    })
    const closed = (await availability(closing, `from=${day}`)).body
    expect(closed.slots.at(-1)).toEqual({
      start: utcAt(day, '23:00'),
      end: utcAt(addDays(day, 1), '00:00'),
      max_end: utcAt(addDays(day, 1), '00:00'),
    })
  })

  test('a range of more than 31 days, a bad date or an unknown venue is a 4xx', async () => {
    const venue = await f.venue()
    expect((await availability(venue, `from=${dateAhead(1)}&to=${dateAhead(40)}`)).status).toBe(400)
    expect((await availability(venue, `from=${dateAhead(1)}&to=${dateAhead(31)}`)).status).toBe(200)
    expect((await availability(venue, 'from=2031-02-30')).status).toBe(400)
    expect((await availability(venue, `from=${dateAhead(3)}&to=${dateAhead(2)}`)).status).toBe(400)
    expect((await availability(venue, '')).status).toBe(400)
    expect((await availability(999_999_999, `from=${dateAhead(1)}`)).status).toBe(404)
  })

  test('nothing is offered before the lead time or past the booking horizon', async () => {
    const venue = await f.venue()
    await putRules(s.t, s.admin, venue, { opening_hours: AROUND_THE_CLOCK, max_advance_days: 10 })
    expect((await availability(venue, `from=${dateAhead(12)}`)).body.slots).toEqual([])
    const today = await availability(venue, `from=${dateAhead(0)}`)
    const earliest = Date.now() + 60 * 60_000
    expect(today.body.slots.every((s: { start: string }) => Date.parse(s.start) >= earliest)).toBe(
      true,
    )
  })
})

function addDays(date: string, n: number) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}
