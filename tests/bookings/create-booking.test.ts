import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { items } from '../../src/db/schema'
import { readJson, testApp, type TestApp } from '../support/app'
import type { TestUser } from '../support/users'
import { book, fixtures, get, hoursAhead, minutesAfter } from './fixtures'

let t: TestApp
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await f.cleanup()
})

const countOwn = async (user: TestUser) =>
  (await readJson(await get(t, user, '/api/bookings'))).pagination.total as number

describe('POST /api/bookings', () => {
  test('books a slot with rentals: 201, confirmed, priced pro rata plus item prices', async () => {
    const user = await f.user()
    const venue = await f.venue({ hourlyPriceCents: 1500 })
    const rackets = await f.item({ priceCents: 300 })
    const projector = await f.item({ priceCents: 450 })
    const start = hoursAhead(1)
    const end = minutesAfter(start, 90)
    const res = await book(t, user, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: end,
      items: [
        { item_id: rackets, quantity: 2 },
        { item_id: projector, quantity: 1 },
      ],
      notes: 'bring balls',
    })
    expect(res.status).toBe(201)
    const body = await readJson(res)
    expect(res.headers.get('location')).toBe(`/api/bookings/${body.id}`)
    expect(body).toMatchObject({
      user_id: user.id,
      venue_id: venue,
      kind: 'single',
      program_id: null,
      start_datetime: start,
      end_datetime: end,
      status: 'confirmed',
      // 90 minutes of 15.00/h = 22.50, plus 2 x 3.00 and 1 x 4.50
      total_cents: 2250 + 600 + 450,
      notes: 'bring balls',
    })
    expect(body.items).toEqual([
      { id: expect.any(Number), item_id: rackets, quantity: 2, unit_price_cents: 300 },
      { id: expect.any(Number), item_id: projector, quantity: 1, unit_price_cents: 450 },
    ])
    expect(Object.keys(body).sort()).toEqual(
      [
        'id', 'user_id', 'venue_id', 'kind', 'program_id', 'start_datetime', 'end_datetime',
        'status', 'total_cents', 'notes', 'items', 'created_at', 'updated_at',
      ].sort(),
    )
    const again = await readJson(await get(t, user, `/api/bookings/${body.id}`))
    expect(again).toEqual(body)
  })

  test('venue minutes round half up to whole cents', async () => {
    const user = await f.user()
    const venue = await f.venue({ hourlyPriceCents: 1001 })
    const start = hoursAhead(2)
    // 30 minutes of 10.01/h is 500.5 cents; 1 minute is 16.68 cents
    const half = await book(t, user, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 30),
    })
    expect((await readJson(half)).total_cents).toBe(501)
    const minute = await book(t, user, {
      venue_id: venue,
      start_datetime: minutesAfter(start, 30),
      end_datetime: minutesAfter(start, 31),
    })
    expect((await readJson(minute)).total_cents).toBe(17)
  })

  test('input instants with an offset are stored and answered in UTC', async () => {
    const user = await f.user()
    const venue = await f.venue()
    const utc = hoursAhead(3)
    const tokyo = minutesAfter(utc, 9 * 60).replace('Z', '+09:00')
    const res = await book(t, user, {
      venue_id: venue,
      start_datetime: tokyo,
      end_datetime: minutesAfter(utc, 60),
    })
    expect(res.status).toBe(201)
    expect((await readJson(res)).start_datetime).toBe(utc)
  })

  test('rented items keep the price they had when booked', async () => {
    const user = await f.user()
    const venue = await f.venue({ hourlyPriceCents: 0 })
    const item = await f.item({ priceCents: 700 })
    const start = hoursAhead(4)
    const res = await book(t, user, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 60),
      items: [{ item_id: item, quantity: 3 }],
    })
    const booking = await readJson(res)
    await t.database.db.update(items).set({ priceCents: 9999 }).where(eq(items.id, item))
    const later = await readJson(await get(t, user, `/api/bookings/${booking.id}`))
    expect(later.total_cents).toBe(2100)
    expect(later.items[0].unit_price_cents).toBe(700)
  })

  describe('invalid requests are 4xx problems and book nothing', () => {
    let user: TestUser
    let venue: number
    let start: string
    const cases: [string, () => Promise<Record<string, unknown>>, number, string][] = [
      [
        'an instant without offset',
        async () => ({ start_datetime: start.replace('Z', '') }),
        400,
        'start_datetime',
      ],
      ['end before start', async () => ({ end_datetime: endAt(-30) }), 400, 'end_datetime'],
      ['end equal to start', async () => ({ end_datetime: start }), 400, 'end_datetime'],
      ['over 24 hours', async () => ({ end_datetime: endAt(24 * 60 + 1) }), 400, 'end_datetime'],
      ['seconds in an instant', async () => ({ end_datetime: endAt(30.5) }), 400, 'end_datetime'],
      [
        'a start in the past',
        async () => ({
          start_datetime: minutesAfter(wholeMinuteNow(), -120),
          end_datetime: minutesAfter(wholeMinuteNow(), -60),
        }),
        400,
        'start_datetime',
      ],
      ['an unknown venue', async () => ({ venue_id: 2_000_000_000 }), 422, 'venue_id'],
      [
        'an inactive venue',
        async () => ({ venue_id: await f.venue({ isActive: false }) }),
        422,
        'venue_id',
      ],
      [
        'an unknown item',
        async () => ({ items: [{ item_id: 2_000_000_000, quantity: 1 }] }),
        422,
        'items.0.item_id',
      ],
      [
        'an inactive item',
        async () => ({ items: [{ item_id: await f.item({ isActive: false }), quantity: 1 }] }),
        422,
        'items.0.item_id',
      ],
      [
        'a merchandise item',
        async () => ({
          items: [
            { item_id: await f.item(), quantity: 1 },
            { item_id: await f.item({ kind: 'merchandise' }), quantity: 1 },
          ],
        }),
        422,
        'items.1.item_id',
      ],
      ['a zero quantity', async () => rent(0), 400, 'items.0.quantity'],
      ['a fractional quantity', async () => rent(1.5), 400, 'items.0.quantity'],
      ['a huge quantity', async () => rent(1001), 400, 'items.0.quantity'],
      [
        'the same item twice',
        async () => {
          const item = await f.item()
          return { items: [{ item_id: item, quantity: 1 }, { item_id: item, quantity: 2 }] }
        },
        400,
        'items.1.item_id',
      ],
      ['an unknown field', async () => ({ price: 0 }), 400, '(root)'],
    ]

    const endAt = (minutes: number) => minutesAfter(start, minutes)
    const rent = async (quantity: number) => ({ items: [{ item_id: await f.item(), quantity }] })
    const wholeMinuteNow = () => new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString()

    beforeAll(async () => {
      user = await f.user()
      venue = await f.venue()
      start = hoursAhead(5)
    })

    for (const [name, change, status, path] of cases) {
      test(`${name}: ${status} naming ${path}`, async () => {
        const res = await book(t, user, {
          venue_id: venue,
          start_datetime: start,
          end_datetime: minutesAfter(start, 60),
          ...(await change()),
        })
        expect(res.status).toBe(status)
        expect(res.headers.get('content-type')).toBe('application/problem+json')
        const problem = await readJson(res)
        expect(problem.status).toBe(status)
        expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path)
        expect(await countOwn(user)).toBe(0)
      })
    }

    test('without a token: 401', async () => {
      const res = await t.app.request('/api/bookings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ venue_id: venue, start_datetime: start, end_datetime: endAt(60) }),
      })
      expect(res.status).toBe(401)
    })
  })

  describe('overlaps', () => {
    test('overlapping an active booking of the venue is 409 saying when it is taken', async () => {
      const [owner, other] = [await f.user(), await f.user()]
      const venue = await f.venue()
      const start = hoursAhead(6)
      const first = await book(t, owner, {
        venue_id: venue,
        start_datetime: start,
        end_datetime: minutesAfter(start, 60),
      })
      const firstId = (await readJson(first)).id
      const res = await book(t, other, {
        venue_id: venue,
        start_datetime: minutesAfter(start, 30),
        end_datetime: minutesAfter(start, 90),
      })
      expect(res.status).toBe(409)
      const problem = await readJson(res)
      expect(problem.conflict).toEqual({
        source: 'booking',
        start_datetime: start,
        end_datetime: minutesAfter(start, 60),
      })
      expect(problem.user_id).toBeUndefined()
      expect(await countOwn(other)).toBe(0)

      // the owner is told which of their bookings is in the way
      const mine = await book(t, owner, {
        venue_id: venue,
        start_datetime: minutesAfter(start, -30),
        end_datetime: minutesAfter(start, 30),
      })
      expect(mine.status).toBe(409)
      expect((await readJson(mine)).conflict.booking_id).toBe(firstId)
    })

    test('slots that only touch are both booked; another venue at the same time too', async () => {
      const user = await f.user()
      const venue = await f.venue()
      const start = hoursAhead(7)
      const slots = [
        [start, minutesAfter(start, 60)],
        [minutesAfter(start, 60), minutesAfter(start, 120)],
        [minutesAfter(start, -60), start],
      ]
      for (const [s, e] of slots) {
        const res = await book(t, user, { venue_id: venue, start_datetime: s, end_datetime: e })
        expect(res.status).toBe(201)
      }
      const elsewhere = await book(t, user, {
        venue_id: await f.venue(),
        start_datetime: start,
        end_datetime: minutesAfter(start, 60),
      })
      expect(elsewhere.status).toBe(201)
    })
  })

  describe('rental stock', () => {
    test('renting more units than are free in the slot is 409; other times are free', async () => {
      const [a, b] = [await f.user(), await f.user()]
      const item = await f.item({ stock: 5 })
      const start = hoursAhead(8)
      const slot = (venue: number, from = start) => ({
        venue_id: venue,
        start_datetime: from,
        end_datetime: minutesAfter(from, 60),
      })
      const rent = (quantity: number) => [{ item_id: item, quantity }]
      const first = await book(t, a, { ...slot(await f.venue()), items: rent(3) })
      expect(first.status).toBe(201)

      const tooMany = await book(t, b, { ...slot(await f.venue()), items: rent(3) })
      expect(tooMany.status).toBe(409)
      expect((await readJson(tooMany)).items).toEqual([
        { item_id: item, requested: 3, available: 2 },
      ])
      expect(await countOwn(b)).toBe(0)

      const rest = await book(t, b, { ...slot(await f.venue()), items: rent(2) })
      expect(rest.status).toBe(201)

      // the next hour has all five units again
      const later = await book(t, b, {
        ...slot(await f.venue(), minutesAfter(start, 60)),
        items: rent(5),
      })
      expect(later.status).toBe(201)
    })

    test('more than the whole stock is 409 even with no other booking', async () => {
      const user = await f.user()
      const item = await f.item({ stock: 1 })
      const start = hoursAhead(9)
      const res = await book(t, user, {
        venue_id: await f.venue(),
        start_datetime: start,
        end_datetime: minutesAfter(start, 60),
        items: [{ item_id: item, quantity: 2 }],
      })
      expect(res.status).toBe(409)
    })
  })

  describe('Idempotency-Key', () => {
    test('a retry with the same key and body replays the first answer and books once', async () => {
      const user = await f.user()
      const venue = await f.venue()
      const start = hoursAhead(10)
      const body = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
      const key = { 'Idempotency-Key': `k-${crypto.randomUUID()}` }
      const first = await book(t, user, body, key)
      const second = await book(t, user, body, key)
      expect(first.status).toBe(201)
      expect(second.status).toBe(201)
      expect(await readJson(second)).toEqual(await readJson(first))
      expect(await countOwn(user)).toBe(1)
    })

    test('the same key with another body is 422 and books nothing more', async () => {
      const user = await f.user()
      const venue = await f.venue()
      const start = hoursAhead(11)
      const key = { 'Idempotency-Key': `k-${crypto.randomUUID()}` }
      const body = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
      await book(t, user, body, key)
      const other = await book(
        t,
        user,
        { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 90) },
        key,
      )
      expect(other.status).toBe(422)
      expect(await countOwn(user)).toBe(1)
    })

    test('a failed attempt does not use up the key', async () => {
      const user = await f.user()
      const venue = await f.venue()
      const start = hoursAhead(12)
      const key = { 'Idempotency-Key': `k-${crypto.randomUUID()}` }
      const body = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
      const blocker = await f.user()
      expect((await book(t, blocker, body)).status).toBe(201)
      expect((await book(t, user, body, key)).status).toBe(409)
      const elsewhere = { ...body, venue_id: await f.venue() }
      expect((await book(t, user, elsewhere, key)).status).toBe(201)
    })
  })
})
