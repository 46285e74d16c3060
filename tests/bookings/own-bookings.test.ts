import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { bookings } from '../../src/db/schema'
import { readJson, testApp, type TestApp } from '../support/app'
import type { TestUser } from '../support/users'
import { book, fixtures, get, hoursAhead, minutesAfter, patch, post } from './fixtures'

let t: TestApp
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await f.cleanup()
})

type Rental = { item_id: number; quantity: number }

async function bookHour(user: TestUser, venue: number, hour: number, rentals: Rental[] = []) {
  const start = hoursAhead(hour)
  const res = await book(t, user, {
    venue_id: venue,
    start_datetime: start,
    end_datetime: minutesAfter(start, 60),
    items: rentals,
  })
  expect(res.status).toBe(201)
  return readJson(res)
}

describe('a user’s own bookings', () => {
  test('GET /api/bookings lists the caller’s bookings only, newest first, with items', async () => {
    const [me, other] = [await f.user(), await f.user()]
    const venue = await f.venue()
    const item = await f.item()
    const a = await bookHour(me, venue, 1, [{ item_id: item, quantity: 2 }])
    const b = await bookHour(me, venue, 2)
    await bookHour(other, venue, 3)
    const res = await get(t, me, '/api/bookings')
    expect(res.status).toBe(200)
    const page = await readJson(res)
    expect(page.items.map((x: { id: number }) => x.id)).toEqual([b.id, a.id])
    expect(page.items[1]).toEqual(a)
    expect(page.items[0].items).toEqual([])
    expect(page.pagination).toMatchObject({
      page: 1,
      total: 2,
      total_relation: 'eq',
      has_next: false,
      has_prev: false,
      next_cursor: null,
    })
  })

  test('the status filter narrows the list', async () => {
    const me = await f.user()
    const venue = await f.venue()
    const kept = await bookHour(me, venue, 1)
    const dropped = await bookHour(me, venue, 2)
    await post(t, me, `/api/bookings/${dropped.id}/cancel`)
    const confirmed = await readJson(await get(t, me, '/api/bookings?status=confirmed'))
    expect(confirmed.items.map((x: { id: number }) => x.id)).toEqual([kept.id])
    const cancelled = await readJson(await get(t, me, '/api/bookings?status=cancelled'))
    expect(cancelled.items.map((x: { id: number }) => x.id)).toEqual([dropped.id])
    expect((await get(t, me, '/api/bookings?status=lost')).status).toBe(400)
  })

  test('pages by page/page_size and by cursor, with a Link to the next page', async () => {
    const me = await f.user()
    const venue = await f.venue()
    const ids: number[] = []
    for (let hour = 0; hour < 5; hour++) ids.push((await bookHour(me, venue, hour)).id)
    const newestFirst = ids.reverse()

    const first = await get(t, me, '/api/bookings?page_size=2')
    const one = await readJson(first)
    expect(one.items.map((x: { id: number }) => x.id)).toEqual(newestFirst.slice(0, 2))
    expect(one.pagination).toMatchObject({
      page: 1,
      page_size: 2,
      total: 5,
      total_relation: 'eq',
      total_pages: 3,
      has_next: true,
      has_prev: false,
    })
    expect(one.pagination.next_cursor).toBeString()
    const link = first.headers.get('link')!
    expect(link).toContain('rel="next"')

    const viaLink = await readJson(await get(t, me, /<([^>]+)>/.exec(link)![1]!))
    expect(viaLink.items.map((x: { id: number }) => x.id)).toEqual(newestFirst.slice(2, 4))
    // a cursor page carries the first page's total
    expect(viaLink.pagination).toMatchObject({
      page: 2,
      total: 5,
      total_relation: 'eq',
      total_pages: 3,
      has_next: true,
      has_prev: true,
    })

    const last = await readJson(
      await get(t, me, `/api/bookings?page_size=2&cursor=${viaLink.pagination.next_cursor}`),
    )
    expect(last.items.map((x: { id: number }) => x.id)).toEqual(newestFirst.slice(4))
    expect(last.pagination).toMatchObject({
      page: 3,
      has_next: false,
      has_prev: true,
      next_cursor: null,
    })

    const byOffset = await readJson(await get(t, me, '/api/bookings?page=2&page_size=2'))
    expect(byOffset.items).toEqual(viaLink.items)

    const past = await get(t, me, '/api/bookings?page=4&page_size=2')
    expect(past.status).toBe(200)
    expect(past.headers.get('link')).toBeNull()
    const empty = await readJson(past)
    expect(empty.pagination).toMatchObject({ page: 4, total: 5, has_next: false, has_prev: true })
    expect(empty.items).toEqual([])

    for (const bad of ['page=0', 'page_size=0', 'page_size=101', 'cursor=nonsense']) {
      expect((await get(t, me, `/api/bookings?${bad}`)).status).toBe(400)
    }
  })

  test('GET /api/bookings/regular-programs lists the caller’s enrolments only', async () => {
    const me = await f.user()
    const venue = await f.venue()
    const program = await f.program(venue)
    await bookHour(me, venue, 1)
    const [enrolment] = await t.database.db
      .insert(bookings)
      .values({
        userId: me.id,
        venueId: venue,
        kind: 'program',
        programId: program,
        startDatetime: new Date('2030-01-01T18:00:00Z'),
        endDatetime: new Date('2030-06-30T19:00:00Z'),
        totalCents: 9000,
      })
      .returning({ id: bookings.id })
    const page = await readJson(await get(t, me, '/api/bookings/regular-programs'))
    expect(page.items).toHaveLength(1)
    expect(page.items[0]).toMatchObject({ id: enrolment!.id, kind: 'program', program_id: program })
  })

  test('GET /api/bookings/{id}: the owner and admins see it, anyone else gets 404', async () => {
    const [me, other, admin] = [await f.user(), await f.user(), await f.user('admin')]
    const mine = await bookHour(me, await f.venue(), 1)
    expect((await get(t, me, `/api/bookings/${mine.id}`)).status).toBe(200)
    expect(await readJson(await get(t, admin, `/api/bookings/${mine.id}`))).toEqual(mine)
    const theirs = await get(t, other, `/api/bookings/${mine.id}`)
    expect(theirs.status).toBe(404)
    expect(theirs.headers.get('content-type')).toBe('application/problem+json')
    expect((await get(t, me, '/api/bookings/2000000000')).status).toBe(404)
    expect((await get(t, me, '/api/bookings/abc')).status).toBe(400)
    expect((await t.app.request(`/api/bookings/${mine.id}`)).status).toBe(401)
  })
})

describe('cancelling', () => {
  test('cancel answers the cancelled booking and frees the slot and the rented items', async () => {
    const [me, next] = [await f.user(), await f.user()]
    const venue = await f.venue()
    const item = await f.item({ stock: 1 })
    const booking = await bookHour(me, venue, 1, [{ item_id: item, quantity: 1 }])
    const res = await post(t, me, `/api/bookings/${booking.id}/cancel`)
    expect(res.status).toBe(200)
    const cancelled = await readJson(res)
    expect(cancelled).toMatchObject({ id: booking.id, status: 'cancelled', items: booking.items })
    const again = await book(t, next, {
      venue_id: venue,
      start_datetime: booking.start_datetime,
      end_datetime: booking.end_datetime,
      items: [{ item_id: item, quantity: 1 }],
    })
    expect(again.status).toBe(201)
  })

  test('cancelling twice is harmless: 200 with the same booking', async () => {
    const me = await f.user()
    const booking = await bookHour(me, await f.venue(), 1)
    const first = await readJson(await post(t, me, `/api/bookings/${booking.id}/cancel`))
    const second = await post(t, me, `/api/bookings/${booking.id}/cancel`)
    expect(second.status).toBe(200)
    expect(await readJson(second)).toEqual(first)
  })

  test('another user cannot cancel a booking (404, it stays booked); an admin can', async () => {
    const [me, other, admin] = [await f.user(), await f.user(), await f.user('admin')]
    const booking = await bookHour(me, await f.venue(), 1)
    expect((await post(t, other, `/api/bookings/${booking.id}/cancel`)).status).toBe(404)
    const still = await readJson(await get(t, me, `/api/bookings/${booking.id}`))
    expect(still.status).toBe('confirmed')
    const byAdmin = await post(t, admin, `/api/bookings/${booking.id}/cancel`)
    expect(byAdmin.status).toBe(200)
    expect((await readJson(byAdmin)).status).toBe('cancelled')
  })

  test('a completed booking cannot be cancelled: 409', async () => {
    const [me, admin] = [await f.user(), await f.user('admin')]
    // a booking can be completed only once it has ended
    const [booking] = await t.database.db
      .insert(bookings)
      .values({
        userId: me.id,
        venueId: await f.venue(),
        startDatetime: new Date(Date.now() - 2 * 3_600_000),
        endDatetime: new Date(Date.now() - 3_600_000),
        totalCents: 0,
      })
      .returning({ id: bookings.id })
    const done = await patch(t, admin, `/api/admin/bookings/${booking!.id}`, {
      status: 'completed',
    })
    expect(done.status).toBe(200)
    const res = await post(t, me, `/api/bookings/${booking!.id}/cancel`)
    expect(res.status).toBe(409)
    expect((await readJson(res)).current_status).toBe('completed')
    const [row] = await t.database.db
      .select({ status: bookings.status })
      .from(bookings)
      .where(eq(bookings.id, booking!.id))
    expect(row!.status).toBe('completed')
  })
})
