import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { bookings } from '../../src/db/schema'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'
import { readJson, testApp, type TestApp } from '../support/app'
import { jsonInit, type TestUser } from '../support/users'
import {
  book,
  dateAhead,
  defaultRulesBody,
  fixtures,
  patch,
  post,
  putRules,
  utcAt,
  weekdayOf,
} from './fixtures'

let t: TestApp
let admin: TestUser
let user: TestUser
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
  ;[admin, user] = await Promise.all([f.user('admin'), f.user()])
})
afterAll(async () => {
  await f.cleanup()
})

/** A fixture venue put back on the default rules, as a venue nobody configured books. */
async function defaultVenue() {
  const venue = await f.venue()
  expect((await putRules(t, admin, venue)).status).toBe(200)
  return venue
}

const day = dateAhead(5)
const slot = (venue: number, from: string, to: string, date = day) => ({
  venue_id: venue,
  start_datetime: utcAt(date, from),
  end_datetime: utcAt(date, to),
})

describe('booking rules per venue', () => {
  test('a venue without rules answers the defaults; an admin replaces them whole', async () => {
    const res = await t.app.request(
      '/api/admin/venues',
      jsonInit('POST', { name: 'Rules hall', capacity: 4, hourly_price_cents: 1000 }, admin.auth),
    )
    const venue = (await readJson(res)).id
    f.track.venue(venue)
    const path = `/api/admin/venues/${venue}/rules`
    const before = await readJson(await t.app.request(path, { headers: admin.auth }))
    expect(before).toEqual({
      venue_id: venue,
      timezone: 'UTC',
      is_default: true,
      ...defaultRulesBody,
    })

    const weekend = {
      '6': [
        { open: '10:00', close: '14:00' },
        { open: '16:00', close: '24:00' },
      ],
    }
    const put = await putRules(t, admin, venue, { opening_hours: weekend, buffer_minutes: 10 })
    expect(put.status).toBe(200)
    const after = await readJson(await t.app.request(path, { headers: admin.auth }))
    expect(after).toMatchObject({ is_default: false, opening_hours: weekend, buffer_minutes: 10 })
  })

  test('rules that make no sense are 400 naming the field', async () => {
    const venue = await f.venue()
    const cases: [object, string][] = [
      [{ opening_hours: { '1': [{ open: '10:00', close: '09:00' }] } }, 'opening_hours.1.0.close'],
      [{ opening_hours: { '8': [] } }, 'opening_hours'],
      [{ opening_hours: { '1': [{ open: '9:00', close: '10:00' }] } }, 'opening_hours.1.0.open'],
      [
        {
          opening_hours: {
            '2': [
              { open: '08:00', close: '12:00' },
              { open: '11:00', close: '13:00' },
            ],
          },
        },
        'opening_hours.2',
      ],
      [{ min_minutes: 60, max_minutes: 30 }, 'max_minutes'],
      [{ slot_minutes: 45 }, 'slot_minutes'],
      [{ buffer_minutes: -1 }, 'buffer_minutes'],
    ]
    for (const [over, path] of cases) {
      const res = await putRules(t, admin, venue, over)
      expect({ over, status: res.status }).toEqual({ over, status: 400 })
      const paths = (await readJson(res)).errors.map((e: { path: string }) => e.path)
      expect({ over, paths }).toEqual({ over, paths: expect.arrayContaining([path]) })
    }
  })

  test('each broken rule is 422 problem+json naming the rule, and books nothing', async () => {
    const venue = await defaultVenue()
    const soon = new Date(Math.ceil((Date.now() + 30 * 60_000) / 1_800_000) * 1_800_000)
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          venue_id: venue,
          start_datetime: soon.toISOString(),
          end_datetime: new Date(soon.getTime() + 3_600_000).toISOString(),
        },
        'lead_time',
      ],
      [slot(venue, '10:00', '11:00', dateAhead(200)), 'max_advance'],
      [slot(venue, '10:00', '10:07'), 'min_duration'],
      [slot(venue, '10:00', '15:00'), 'max_duration'],
      [slot(venue, '03:00', '04:00'), 'opening_hours'],
      [slot(venue, '21:30', '22:30'), 'opening_hours'],
      [slot(venue, '10:15', '11:15'), 'slot_granularity'],
      [slot(venue, '10:00', '10:45'), 'slot_granularity'],
    ]
    for (const [body, rule] of cases) {
      const res = await book(t, user, body)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const problem = await readJson(res)
      expect({ rule, status: res.status, named: problem.rule }).toEqual({
        rule,
        status: 422,
        named: rule,
      })
    }
    const own = await readJson(
      await t.app.request('/api/bookings?page_size=100', { headers: user.auth }),
    )
    expect(own.items.filter((b: { venue_id: number }) => b.venue_id === venue)).toEqual([])
    expect((await book(t, user, slot(venue, '10:00', '11:30'))).status).toBe(201)
  })

  test('opening hours are in the venue time zone', async () => {
    const res = await t.app.request(
      '/api/admin/venues',
      jsonInit(
        'POST',
        { name: 'Tokyo dojo', capacity: 4, hourly_price_cents: 1000, timezone: 'Asia/Tokyo' },
        admin.auth,
      ),
    )
    const venue = (await readJson(res)).id
    f.track.venue(venue)
    await putRules(t, admin, venue)
    // 08:00 in Tokyo is 23:00 UTC the day before
    const date = dateAhead(6)
    const early = await book(t, user, slot(venue, '23:00', '23:30', dateAhead(5)))
    expect(early.status).toBe(201)
    const late = await book(t, user, slot(venue, '13:30', '14:00', date))
    expect((await readJson(late)).rule).toBe('opening_hours')
  })

  test('a venue open until 24:00 and from 00:00 takes bookings across midnight', async () => {
    const venue = await f.venue()
    const next = dateAhead(6)
    const lateNight = {
      [String(weekdayOf(day))]: [{ open: '18:00', close: '24:00' }],
      [String(weekdayOf(next))]: [{ open: '00:00', close: '02:00' }],
    }
    await putRules(t, admin, venue, { opening_hours: lateNight })
    const across = (from: string, to: string) => ({
      venue_id: venue,
      start_datetime: utcAt(day, from),
      end_datetime: utcAt(next, to),
    })
    expect((await readJson(await book(t, user, across('23:00', '02:30')))).rule).toBe(
      'opening_hours',
    )
    expect((await book(t, user, across('23:00', '01:00'))).status).toBe(201)
    // the slot is taken across midnight like any other
    expect((await book(t, user, across('23:30', '00:30'))).status).toBe(409)
    // a day that closes at 24:00 with no opening at 00:00 after it ends there
    const closedAfter = await f.venue()
    await putRules(t, admin, closedAfter, {
      opening_hours: { [String(weekdayOf(day))]: [{ open: '18:00', close: '24:00' }] },
    })
    const refused = await book(t, user, { ...across('23:00', '00:30'), venue_id: closedAfter })
    expect((await readJson(refused)).rule).toBe('opening_hours')
  })

  test('an owner cannot cancel within the cut-off; an admin can', async () => {
    const venue = await f.venue()
    await putRules(t, admin, venue, { opening_hours: AROUND_THE_CLOCK })
    // the cut-off is 24 hours; this booking starts in about 3 hours
    const start = Math.ceil((Date.now() + 3 * 3_600_000) / 3_600_000) * 3_600_000
    const made = await book(t, user, {
      venue_id: venue,
      start_datetime: new Date(start).toISOString(),
      end_datetime: new Date(start + 3_600_000).toISOString(),
    })
    expect(made.status).toBe(201)
    const id = (await readJson(made)).id
    const refused = await post(t, user, `/api/bookings/${id}/cancel`)
    expect(refused.status).toBe(422)
    expect(await readJson(refused)).toMatchObject({
      rule: 'cancellation_cutoff',
      cancel_cutoff_minutes: 1440,
    })
    const byAdmin = await post(t, admin, `/api/bookings/${id}/cancel`)
    expect(byAdmin.status).toBe(200)
    expect((await readJson(byAdmin)).status).toBe('cancelled')
  })

  test('a booking that has ended cannot be cancelled by its owner', async () => {
    const venue = await f.venue()
    const [past] = await t.database.db
      .insert(bookings)
      .values({
        userId: user.id,
        venueId: venue,
        startDatetime: new Date(Date.now() - 3 * 3_600_000),
        endDatetime: new Date(Date.now() - 2 * 3_600_000),
        totalCents: 0,
      })
      .returning({ id: bookings.id })
    const res = await post(t, user, `/api/bookings/${past!.id}/cancel`)
    expect(res.status).toBe(422)
    expect((await readJson(res)).rule).toBe('booking_ended')
  })
})

describe('admin status changes follow a state machine', () => {
  test('completed only after the end, and final', async () => {
    const venue = await f.venue()
    const future = await readJson(await book(t, user, slot(venue, '10:00', '11:00')))
    const early = await patch(t, admin, `/api/admin/bookings/${future.id}`, { status: 'completed' })
    expect(early.status).toBe(422)
    expect((await readJson(early)).rule).toBe('not_ended')

    const [past] = await t.database.db
      .insert(bookings)
      .values({
        userId: user.id,
        venueId: venue,
        startDatetime: new Date(Date.now() - 3 * 3_600_000),
        endDatetime: new Date(Date.now() - 2 * 3_600_000),
        totalCents: 0,
      })
      .returning({ id: bookings.id })
    const done = await patch(t, admin, `/api/admin/bookings/${past!.id}`, { status: 'completed' })
    expect(done.status).toBe(200)
    for (const status of ['confirmed', 'cancelled', 'pending']) {
      const res = await patch(t, admin, `/api/admin/bookings/${past!.id}`, { status })
      expect({ status, code: res.status }).toEqual({ status, code: 409 })
    }
  })

  test('a cancelled booking is confirmed again only while its slot is free', async () => {
    const venue = await f.venue()
    const first = await readJson(await book(t, user, slot(venue, '12:00', '13:00')))
    await post(t, user, `/api/bookings/${first.id}/cancel`)
    const again = await patch(t, admin, `/api/admin/bookings/${first.id}`, { status: 'confirmed' })
    expect(again.status).toBe(200)
    expect((await readJson(again)).status).toBe('confirmed')

    await post(t, user, `/api/bookings/${first.id}/cancel`)
    const taker = await book(t, user, slot(venue, '12:30', '13:30'))
    expect(taker.status).toBe(201)
    const revived = await patch(t, admin, `/api/admin/bookings/${first.id}`, {
      status: 'confirmed',
    })
    expect(revived.status).toBe(409)
    expect((await readJson(revived)).conflict).toMatchObject({
      booking_id: (await readJson(taker)).id,
    })
    const still = await readJson(
      await t.app.request(`/api/bookings/${first.id}`, { headers: user.auth }),
    )
    expect(still.status).toBe('cancelled')
  })

  test('a cancelled booking whose rented items went to others stays cancelled', async () => {
    const venue = await f.venue()
    const other = await f.venue()
    const item = await f.item({ stock: 1 })
    const first = await readJson(
      await book(t, user, {
        ...slot(venue, '15:00', '16:00'),
        items: [{ item_id: item, quantity: 1 }],
      }),
    )
    await post(t, user, `/api/bookings/${first.id}/cancel`)
    const elsewhere = await book(t, user, {
      ...slot(other, '15:00', '16:00'),
      items: [{ item_id: item, quantity: 1 }],
    })
    expect(elsewhere.status).toBe(201)
    const revived = await patch(t, admin, `/api/admin/bookings/${first.id}`, {
      status: 'confirmed',
    })
    expect(revived.status).toBe(409)
    expect((await readJson(revived)).type).toBe('urn:problem:insufficient-stock')
  })
})
