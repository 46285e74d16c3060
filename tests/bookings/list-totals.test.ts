import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readJson, testApp, type TestApp } from '../support/app'
import { jsonInit, type TestUser } from '../support/users'
import { book, fixtures, get, hoursAhead, minutesAfter } from './fixtures'

// A bound of 3 stands for the default 10,000: the same rule, without seeding 10,000 rows.
const BOUND = 3

let t: TestApp
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp({ PAGINATION_EXACT_TOTAL_MAX: String(BOUND) })
})
afterAll(async () => {
  await f.cleanup()
})

async function bookHours(user: TestUser, venue: number, hours: number[]) {
  const ids: number[] = []
  for (const hour of hours) {
    const start = hoursAhead(hour)
    const res = await book(t, user, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 60),
    })
    expect(res.status).toBe(201)
    ids.push((await readJson(res)).id)
  }
  return ids
}

const page = async (user: TestUser, path: string) => {
  const res = await get(t, user, path)
  expect(res.status).toBe(200)
  return readJson(res)
}

describe('list totals past PAGINATION_EXACT_TOTAL_MAX', () => {
  test('up to the bound the total is exact (eq); past it, a lower bound (gte)', async () => {
    const me = await f.user()
    const venue = await f.venue()
    await bookHours(me, venue, [1, 2, 3])
    const exact = await page(me, '/api/bookings?page_size=2')
    expect(exact.pagination).toEqual({
      page: 1,
      page_size: 2,
      total: 3,
      total_relation: 'eq',
      total_pages: 2,
      has_next: true,
      has_prev: false,
      next_cursor: exact.pagination.next_cursor,
    })

    await bookHours(me, venue, [4, 5])
    const bounded = await page(me, '/api/bookings?page_size=2')
    // 5 bookings: "at least 3", and total_pages a lower bound with it
    expect(bounded.pagination).toMatchObject({
      total: BOUND,
      total_relation: 'gte',
      total_pages: 2,
      has_next: true,
    })
    // the pages themselves are not bounded: page 3 holds the fifth booking
    const third = await page(me, '/api/bookings?page_size=2&page=3')
    expect(third.items).toHaveLength(1)
    expect(third.pagination).toMatchObject({ total: BOUND, total_relation: 'gte', has_next: false })
  })

  test('every list reports it: the admin lists and the other resources too', async () => {
    const me = await f.user()
    const admin = await f.user('admin')
    const venue = await f.venue()
    const ids = await bookHours(me, venue, [6, 7, 8, 9])
    const all = await page(admin, `/api/admin/bookings?user_id=${me.id}&page_size=10`)
    expect(all.items.map((b: { id: number }) => b.id)).toEqual([...ids].reverse())
    expect(all.pagination).toMatchObject({ total: BOUND, total_relation: 'gte', total_pages: 1 })
    const none = `/api/admin/bookings?user_id=${me.id}&venue_id=${venue}&status=cancelled`
    const one = await page(admin, none)
    expect(one.pagination).toMatchObject({ total: 0, total_relation: 'eq', total_pages: 0 })

    await f.venues(BOUND + 1)
    const venues = await page(me, '/api/venues?page_size=1')
    expect(venues.pagination).toMatchObject({ total: BOUND, total_relation: 'gte' })
  })

  test('rack orders too: the buyer’s list and the admin list', async () => {
    const me = await f.user()
    const admin = await f.user('admin')
    const shirt = await f.item({ kind: 'merchandise', stock: 10 })
    const buy = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const order = { items: [{ item_id: shirt, quantity: 1 }] }
        const res = await t.app.request('/api/rack-orders', jsonInit('POST', order, me.auth))
        expect(res.status).toBe(201)
      }
    }
    await buy(BOUND)
    const exact = await page(me, '/api/rack-orders?page_size=1')
    expect(exact.pagination).toMatchObject({ total: BOUND, total_relation: 'eq', has_next: true })
    await buy(1)
    const bounded = await page(me, '/api/rack-orders?page_size=1')
    expect(bounded.pagination).toMatchObject({ total: BOUND, total_relation: 'gte' })
    const all = await page(admin, '/api/admin/rack-orders?page_size=1')
    expect(all.pagination).toMatchObject({ total: BOUND, total_relation: 'gte' })
  })

  test('a cursor page is not counted again: it carries the first page’s total', async () => {
    const me = await f.user()
    const venue = await f.venue()
    await bookHours(me, venue, [10, 11])
    const first = await page(me, '/api/bookings?page_size=1')
    expect(first.pagination).toMatchObject({ total: 2, total_relation: 'eq', total_pages: 2 })

    // Two more bookings after the first page: a recount would say gte 3.
    await bookHours(me, venue, [12, 13])
    const cursor = first.pagination.next_cursor
    const second = await page(me, `/api/bookings?page_size=1&cursor=${cursor}`)
    expect(second.pagination).toMatchObject({
      page: 2,
      total: 2,
      total_relation: 'eq',
      total_pages: 2,
      has_prev: true,
    })
    // the new bookings are newer, before the walk's position: the older one is the last page
    expect(second.pagination).toMatchObject({ has_next: false, next_cursor: null })

    const fresh = await page(me, '/api/bookings?page_size=1')
    expect(fresh.pagination).toMatchObject({ total: BOUND, total_relation: 'gte' })
    const next = await page(me, `/api/bookings?page_size=1&cursor=${fresh.pagination.next_cursor}`)
    expect(next.pagination).toMatchObject({ page: 2, total: BOUND, total_relation: 'gte' })
  })
})
