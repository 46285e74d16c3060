import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { bookings } from '../../src/db/schema'
import { readJson, testApp, type TestApp } from '../support/app'
import type { TestUser } from '../support/users'
import { book, fixtures, get, hoursAhead, minutesAfter, patch } from './fixtures'

let t: TestApp
const f = fixtures(() => t)
let admin: TestUser

beforeAll(async () => {
  t = await testApp()
  admin = await f.user('admin')
})
afterAll(async () => {
  await f.cleanup()
})

type Rental = { item_id: number; quantity: number }

async function bookAt(
  user: TestUser,
  venue: number,
  start: string,
  minutes = 60,
  rentals: Rental[] = [],
) {
  const res = await book(t, user, {
    venue_id: venue,
    start_datetime: start,
    end_datetime: minutesAfter(start, minutes),
    items: rentals,
  })
  expect(res.status).toBe(201)
  return readJson(res)
}

const idsOf = (page: { items: { id: number }[] }) => page.items.map((b) => b.id)

describe('admin booking routes need an admin', () => {
  test('anonymous callers get 401, users 403', async () => {
    const user = await f.user()
    const routes: [string, string][] = [
      ['GET', '/api/admin/bookings'],
      ['GET', '/api/admin/bookings/today'],
      ['GET', '/api/admin/booking-items'],
      ['PATCH', '/api/admin/bookings/1'],
    ]
    for (const [method, path] of routes) {
      const headers = { 'content-type': 'application/json' }
      const body = method === 'PATCH' ? '{"status":"completed"}' : undefined
      expect((await t.app.request(path, { method, headers, body })).status).toBe(401)
      const asUser = { method, headers: { ...headers, ...user.auth }, body }
      expect((await t.app.request(path, asUser)).status).toBe(403)
    }
  })
})

describe('GET /api/admin/bookings', () => {
  let a: TestUser
  let b: TestUser
  let venue: number
  let otherVenue: number
  let start: string
  const made: Record<string, { id: number }> = {}

  beforeAll(async () => {
    ;[a, b] = [await f.user(), await f.user()]
    ;[venue, otherVenue] = [await f.venue(), await f.venue()]
    start = hoursAhead(1)
    made.first = await bookAt(a, venue, start)
    made.second = await bookAt(b, venue, minutesAfter(start, 60))
    made.third = await bookAt(a, venue, minutesAfter(start, 120))
    made.elsewhere = await bookAt(b, otherVenue, start)
    await patch(t, admin, `/api/admin/bookings/${made.third!.id}`, { status: 'cancelled' })
  })

  const list = async (query: string) => {
    const res = await get(t, admin, `/api/admin/bookings?${query}`)
    expect(res.status).toBe(200)
    return readJson(res)
  }

  test('shows every user’s bookings, latest start first, with their items', async () => {
    const page = await list(`venue_id=${venue}`)
    expect(idsOf(page)).toEqual([made.third!.id, made.second!.id, made.first!.id])
    expect(page.items[0].items).toEqual([])
    const owners = new Set(page.items.map((x: { user_id: number }) => x.user_id))
    expect(owners).toEqual(new Set([a.id, b.id]))
  })

  test('filters by user, status and venue, alone and together', async () => {
    expect(idsOf(await list(`user_id=${a.id}`))).toEqual([made.third!.id, made.first!.id])
    expect(idsOf(await list(`user_id=${b.id}&venue_id=${otherVenue}`))).toEqual([
      made.elsewhere!.id,
    ])
    expect(idsOf(await list(`venue_id=${venue}&status=cancelled`))).toEqual([made.third!.id])
    expect(idsOf(await list(`user_id=${a.id}&status=confirmed`))).toEqual([made.first!.id])
  })

  test('from/to select the bookings overlapping [from, to)', async () => {
    const q = (from: string, to: string) =>
      list(`venue_id=${venue}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)
    // a window inside the second hour overlaps only the second booking
    const inside = await q(minutesAfter(start, 70), minutesAfter(start, 80))
    expect(idsOf(inside)).toEqual([made.second!.id])
    // touching ends do not overlap
    const exact = await q(minutesAfter(start, 60), minutesAfter(start, 120))
    expect(idsOf(exact)).toEqual([made.second!.id])
    const two = await q(minutesAfter(start, 30), minutesAfter(start, 90))
    expect(idsOf(two)).toEqual([made.second!.id, made.first!.id])
    // a period's total is counted by its own statement: the same rows as its page
    expect([inside, exact, two].map((p) => p.pagination.total)).toEqual([1, 1, 2])
    const at = (minutes: number) => encodeURIComponent(minutesAfter(start, minutes))
    expect(idsOf(await list(`venue_id=${venue}&from=${at(121)}`))).toEqual([made.third!.id])
    expect(idsOf(await list(`venue_id=${venue}&to=${at(1)}`))).toEqual([made.first!.id])
  })

  test('bad filters are 400 problems', async () => {
    for (const bad of [
      'status=lost',
      'venue_id=abc',
      'user_id=0',
      `from=${encodeURIComponent('2030-01-01T10:00:00')}`,
      `from=${encodeURIComponent(start)}&to=${encodeURIComponent(start)}`,
    ]) {
      const res = await get(t, admin, `/api/admin/bookings?${bad}`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
  })

  test('pages through by cursor in the same order', async () => {
    const seen: number[] = []
    let path = `/api/admin/bookings?venue_id=${venue}&page_size=1`
    for (;;) {
      const res = await get(t, admin, path)
      const page = await readJson(res)
      seen.push(...idsOf(page))
      if (!page.pagination.next_cursor) break
      path = /<([^>]+)>/.exec(res.headers.get('link')!)![1]!
    }
    expect(seen).toEqual([made.third!.id, made.second!.id, made.first!.id])
  })
})

describe('GET /api/admin/bookings/today', () => {
  test('lists the bookings overlapping today in APP_TIMEZONE, earliest first', async () => {
    const tokyo = await testApp({ APP_TIMEZONE: 'Asia/Tokyo' })
    // Tokyo is UTC+9 all year: its day starts at 15:00 UTC the day before.
    const tokyoDate = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10)
    const from = minutesAfter(`${tokyoDate}T00:00:00.000Z`, -9 * 60)
    const to = minutesAfter(from, 24 * 60)
    const venue = await f.venue()
    const user = await f.user()
    type Status = 'confirmed' | 'completed' | 'cancelled'
    const row = async (start: string, minutes: number, status: Status) => {
      const [inserted] = await t.database.db
        .insert(bookings)
        .values({
          userId: user.id,
          venueId: venue,
          startDatetime: new Date(start),
          endDatetime: new Date(minutesAfter(start, minutes)),
          status,
          totalCents: 0,
        })
        .returning({ id: bookings.id })
      return inserted!.id
    }
    await row(minutesAfter(from, -60), 60, 'completed') // ends as the day begins
    const acrossStart = await row(minutesAfter(from, -30), 60, 'confirmed')
    const cancelled = await row(minutesAfter(from, 600), 60, 'cancelled')
    const acrossEnd = await row(minutesAfter(to, -30), 60, 'confirmed')
    await row(to, 60, 'completed') // starts as the next day begins

    const res = await tokyo.app.request(`/api/admin/bookings/today?venue_id=${venue}`, {
      headers: admin.auth,
    })
    expect(res.status).toBe(200)
    const page = await readJson(res)
    expect(page.day).toEqual({ date: to.slice(0, 10), time_zone: 'Asia/Tokyo', from, to })
    expect(idsOf(page)).toEqual([acrossStart, cancelled, acrossEnd])

    const onlyCancelled = await tokyo.app.request(
      `/api/admin/bookings/today?venue_id=${venue}&status=cancelled`,
      { headers: admin.auth },
    )
    expect(idsOf(await readJson(onlyCancelled))).toEqual([cancelled])
  })

  test('in UTC the day runs from UTC midnight to midnight', async () => {
    const utc = await testApp({ APP_TIMEZONE: 'UTC' })
    const res = await utc.app.request('/api/admin/bookings/today?page_size=1', {
      headers: admin.auth,
    })
    const page = await readJson(res)
    const today = new Date().toISOString().slice(0, 10)
    expect(page.day).toEqual({
      date: today,
      time_zone: 'UTC',
      from: `${today}T00:00:00.000Z`,
      to: minutesAfter(`${today}T00:00:00.000Z`, 24 * 60),
    })
  })
})

describe('PATCH /api/admin/bookings/{id}', () => {
  let owner: TestUser
  beforeAll(async () => {
    owner = await f.user()
  })
  /** A pending booking `hour` hours ahead, or one that ended an hour ago (completing needs that). */
  const pendingBooking = async (hour: number, ended = false) => {
    const start = ended ? new Date(Date.now() - 2 * 3_600_000) : new Date(hoursAhead(hour))
    const [row] = await t.database.db
      .insert(bookings)
      .values({
        userId: owner.id,
        venueId: await f.venue(),
        startDatetime: start,
        endDatetime: new Date(start.getTime() + 3_600_000),
        status: 'pending',
        totalCents: 0,
      })
      .returning({ id: bookings.id })
    return row!.id
  }
  const setStatus = (id: number, status: string) =>
    patch(t, admin, `/api/admin/bookings/${id}`, { status })

  test('allowed transitions answer 200 with the booking in its new status', async () => {
    const paths: string[][] = [
      ['pending', 'confirmed', 'completed'],
      ['pending', 'cancelled'],
      ['pending', 'confirmed', 'cancelled'],
      ['pending', 'cancelled', 'confirmed'],
    ]
    for (const [, ...steps] of paths) {
      const id = await pendingBooking(1, steps.includes('completed'))
      for (const status of steps) {
        const res = await setStatus(id, status)
        expect(res.status).toBe(200)
        expect(await readJson(res)).toMatchObject({ id, status })
      }
    }
  })

  test('setting the current status again is harmless', async () => {
    const id = await pendingBooking(2)
    const first = await readJson(await setStatus(id, 'confirmed'))
    const again = await setStatus(id, 'confirmed')
    expect(again.status).toBe(200)
    expect(await readJson(again)).toEqual(first)
  })

  test('other transitions are 409 and change nothing', async () => {
    const disallowed: [string[], string][] = [
      [['confirmed'], 'pending'],
      [['cancelled'], 'pending'],
      [['cancelled'], 'completed'],
      [['confirmed', 'completed'], 'cancelled'],
      [['confirmed', 'completed'], 'confirmed'],
      [['confirmed', 'completed'], 'pending'],
      [[], 'completed'],
    ]
    for (const [setup, target] of disallowed) {
      const id = await pendingBooking(3, true)
      for (const status of setup) expect((await setStatus(id, status)).status).toBe(200)
      const before = await readJson(await get(t, admin, `/api/bookings/${id}`))
      const res = await setStatus(id, target)
      expect(res.status).toBe(409)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(await readJson(await get(t, admin, `/api/bookings/${id}`))).toEqual(before)
    }
  })

  test('an unknown booking is 404, a bad body 400', async () => {
    expect((await setStatus(2_000_000_000, 'confirmed')).status).toBe(404)
    const id = await pendingBooking(4)
    expect((await setStatus(id, 'lost')).status).toBe(400)
    const extra = { status: 'confirmed', total_cents: 0 }
    expect((await patch(t, admin, `/api/admin/bookings/${id}`, extra)).status).toBe(400)
  })
})

describe('GET /api/admin/booking-items', () => {
  test('lists rented items with their booking, filtered by booking_id and item_id', async () => {
    const user = await f.user()
    const [rackets, balls] = [await f.item({ priceCents: 300 }), await f.item({ priceCents: 50 })]
    const start = hoursAhead(5)
    const one = await bookAt(user, await f.venue(), start, 60, [
      { item_id: rackets, quantity: 2 },
      { item_id: balls, quantity: 6 },
    ])
    const two = await bookAt(user, await f.venue(), start, 60, [{ item_id: rackets, quantity: 1 }])

    const list = async (query: string) =>
      readJson(await get(t, admin, `/api/admin/booking-items?${query}`))
    const byBooking = await list(`booking_id=${one.id}`)
    expect(byBooking.items).toEqual(
      [...one.items].reverse().map((i: object) => ({ ...i, booking_id: one.id })),
    )
    expect(byBooking.pagination.total).toBe(2)

    const byItem = await list(`item_id=${rackets}`)
    type Line = { booking_id: number; quantity: number }
    expect(byItem.items.map((i: Line) => [i.booking_id, i.quantity])).toEqual([
      [two.id, 1],
      [one.id, 2],
    ])
    const both = await list(`item_id=${balls}&booking_id=${two.id}`)
    expect(both.items).toEqual([])
  })
})
