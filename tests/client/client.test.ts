import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ApiError, createClient, pages, paginate, unwrap, withRetry } from '../../client/src/index'
import { book, fixtures, hoursAhead, minutesAfter, post } from '../bookings/fixtures'
import { readJson, testApp, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import type { TestUser } from '../support/users'

let t: TestApp
let server: ReturnType<typeof serve>
let me: TestUser
/** The caller's booking ids, newest first (the list's order). */
let bookingIds: number[]
const f = fixtures(() => t)

/** A fetch that records the URLs it was asked for, optionally rewriting JSON answers. */
function recordingFetch(rewrite?: (body: any) => unknown) {
  const urls: URL[] = []
  const fetcher = async (input: string | URL | Request, init?: RequestInit) => {
    urls.push(new URL(input instanceof Request ? input.url : input))
    const res = await fetch(input, init)
    if (!rewrite || !res.ok) return res
    return Response.json(rewrite(await res.json()), { status: res.status, headers: res.headers })
  }
  return { urls, fetch: fetcher as typeof fetch }
}

beforeAll(async () => {
  t = await testApp()
  server = serve(t)
  me = await f.user()
  const venue = await f.venue()
  bookingIds = []
  for (let hour = 1; hour <= 7; hour++) {
    const start = hoursAhead(hour * 2)
    const res = await book(t, me, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 60),
    })
    expect(res.status).toBe(201)
    bookingIds.unshift((await readJson(res)).id)
  }
})

afterAll(async () => {
  await server.stop()
  await f.cleanup()
})

describe('the typed client (hc<AppType>) against a running server', () => {
  test('a JWT in the options authenticates; answers are parsed JSON', async () => {
    const api = createClient(server.url, { token: me.token })
    const res = await api.api.auth.me.$get()
    expect(res.status).toBe(200)
    const user = await unwrap(res)
    expect(user).toMatchObject({ id: me.id, email: me.email, role: 'user' })

    const venues = await unwrap(api.api.venues.$get({ query: { page_size: '1' } }))
    expect(venues.pagination.page_size).toBe(1)
  })

  test('the token can be a function, read before every request', async () => {
    let token: string | undefined
    const api = createClient(server.url, { token: () => token })
    expect((await api.api.auth.me.$get()).status).toBe(401)
    token = me.token
    expect((await api.api.auth.me.$get()).status).toBe(200)
  })

  test('an error answer throws ApiError carrying the problem+json body', async () => {
    const api = createClient(server.url)
    const error = await unwrap(api.api.auth.me.$get()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const refused = error as ApiError
    expect(refused.status).toBe(401)
    expect(refused.problem).toMatchObject({ status: 401, title: 'Unauthorized' })
  })
})

describe('the typed client on the booking domain', () => {
  test('reads a venue’s free slots and moves a booking, typed end to end', async () => {
    // another user: the tests below list every booking of `me`
    const mover = await f.user()
    const api = createClient(server.url, { token: mover.token })
    const venue = await f.venue()
    const date = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10)
    const free = await unwrap(
      api.api.venues[':id'].availability.$get({
        param: { id: String(venue) },
        query: { from: date },
      }),
    )
    expect(free.slots.length).toBeGreaterThan(0)
    const first = free.slots[0]!
    const booked = await book(t, mover, {
      venue_id: venue,
      start_datetime: first.start,
      end_datetime: first.end,
    })
    const id = (await readJson(booked)).id
    const later = free.slots[free.slots.length - 1]!
    const moved = await unwrap(
      api.api.bookings[':id'].$patch({
        param: { id: String(id) },
        json: { start_datetime: later.start, end_datetime: later.end },
      }),
    )
    expect(moved).toMatchObject({ id, start_datetime: later.start, end_datetime: later.end })
  })
})

describe('paginate()', () => {
  test('walks every item across pages by next_cursor, one request per page', async () => {
    const { urls, fetch } = recordingFetch()
    const api = createClient(server.url, { token: me.token, fetch })
    const seen: number[] = []
    for await (const booking of paginate(api.api.bookings, { page_size: '3' })) {
      expect(booking.user_id).toBe(me.id)
      seen.push(booking.id)
    }
    expect(seen).toEqual(bookingIds)
    expect(urls).toHaveLength(3)
    expect(urls[0]!.searchParams.has('cursor')).toBe(false)
    for (const url of urls.slice(1)) {
      expect(url.searchParams.get('cursor')).toBeTruthy()
      expect(url.searchParams.get('page_size')).toBe('3')
      expect(url.searchParams.has('page')).toBe(false)
    }
  })

  test('keeps the filters on every page', async () => {
    const [a, b] = [bookingIds[1]!, bookingIds[4]!]
    const other = await f.user()
    for (const id of [a, b])
      expect((await post(t, me, `/api/bookings/${id}/cancel`)).status).toBe(200)
    const api = createClient(server.url, { token: me.token })
    const cancelled: number[] = []
    for await (const booking of paginate(api.api.bookings, {
      status: 'cancelled',
      page_size: '1',
    })) {
      expect(booking.status).toBe('cancelled')
      cancelled.push(booking.id)
    }
    expect(cancelled).toEqual([a, b])

    const nobody = createClient(server.url, { token: other.token })
    const none: unknown[] = []
    for await (const booking of paginate(nobody.api.bookings)) none.push(booking)
    expect(none).toEqual([])
  })

  test('without next_cursor (an older server) it follows has_next and page', async () => {
    const { urls, fetch } = recordingFetch((body) => {
      const { next_cursor: _dropped, ...pagination } = body.pagination
      return { ...body, pagination }
    })
    const api = createClient(server.url, { token: me.token, fetch })
    const seen: number[] = []
    for await (const booking of paginate(api.api.bookings, { page_size: '2' }))
      seen.push(booking.id)
    expect(seen).toEqual(bookingIds)
    expect(urls.map((u) => u.searchParams.get('page'))).toEqual([null, '2', '3', '4'])
  })

  test('stops fetching when the loop stops', async () => {
    const { urls, fetch } = recordingFetch()
    const api = createClient(server.url, { token: me.token, fetch })
    for await (const booking of paginate(api.api.bookings, { page_size: '2' })) {
      expect(booking.id).toBe(bookingIds[0]!)
      break
    }
    expect(urls).toHaveLength(1)
  })

  test('pages() gives each page with its pagination, for a "Load more" button', async () => {
    const api = createClient(server.url, { token: me.token })
    const seen = []
    for await (const page of pages(api.api.bookings, { page_size: '4' })) {
      seen.push([page.pagination.page, page.items.length, page.pagination.has_next] as const)
      expect(page.pagination.total).toBe(bookingIds.length)
    }
    expect(seen).toEqual([
      [1, 4, true],
      [2, 3, false],
    ])
  })

  test('a refused request throws with its status; nothing is yielded', async () => {
    const api = createClient(server.url)
    const seen: unknown[] = []
    const error = await (async () => {
      for await (const booking of paginate(api.api.bookings)) seen.push(booking)
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(401)
    expect(seen).toEqual([])

    const bad = createClient(server.url, { token: me.token })
    const invalid = await pages(bad.api.bookings, { page_size: '1000' })
      .next()
      .catch((e) => e)
    expect((invalid as ApiError).status).toBe(400)
  })
})

describe('rack orders through the typed client', () => {
  test('a buyer orders, staff list the pending orders and move one on', async () => {
    const admin = await f.user('admin')
    const mug = await f.item({ kind: 'merchandise', priceCents: 800, stock: 5 })
    const buyer = createClient(server.url, { token: me.token })
    const staff = createClient(server.url, { token: admin.token })

    const json = { items: [{ item_id: mug, quantity: 2 }] }
    const placed = await unwrap(buyer.api['rack-orders'].$post({ json, header: {} }))
    expect(placed).toMatchObject({ status: 'pending', total_cents: 1600 })

    const mine = { status: 'pending', user_id: String(me.id), page_size: '1' } as const
    const pending: number[] = []
    for await (const order of paginate(staff.api.admin['rack-orders'], mine)) {
      expect(order).toMatchObject({ status: 'pending', user_id: me.id })
      pending.push(order.id)
    }
    expect(pending).toContain(placed.id)

    const param = { id: String(placed.id) }
    const orders = staff.api.admin['rack-orders'][':id']
    const paid = await unwrap(orders.$patch({ param, json: { status: 'paid' } }))
    expect(paid.status).toBe('paid')
    const refused = await unwrap(orders.$patch({ param, json: { status: 'pending' } })).catch(
      (e: unknown) => e,
    )
    expect((refused as ApiError).status).toBe(409)
    expect(await unwrap(orders.$get({ param }))).toMatchObject({ status: 'paid' })
  })
})

/**
 * A fetch standing in for a proxy in front of the server: it answers the first `times` requests
 * with 503 and `retryAfter`, after passing them on when `through` (an answer lost on the way
 * back), and records the Idempotency-Key of every request.
 */
function sheddingFetch(times: number, retryAfter: string, through = false) {
  const keys: (string | null)[] = []
  const fetcher = async (input: string | URL | Request, init?: RequestInit) => {
    const request =
      input instanceof Request ? new Request(input, init) : new Request(String(input), init)
    keys.push(request.headers.get('idempotency-key'))
    if (keys.length > times) return fetch(request)
    if (through) await (await fetch(request)).arrayBuffer()
    const problem = { type: 'urn:problem:overloaded', title: 'Service Unavailable', status: 503 }
    return Response.json(
      { ...problem, detail: 'Shed.', reason: 'in_flight' },
      { status: 503, headers: { 'Retry-After': retryAfter, 'X-Request-Id': 'shed-1' } },
    )
  }
  return { keys, fetch: fetcher as typeof fetch }
}

describe('withRetry() and ApiError', () => {
  test('a write whose answer was lost is sent again with the same key and made once', async () => {
    const booker = await f.user()
    const venue = await f.venue()
    const start = hoursAhead(40)
    const json = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 30) }
    const { keys, fetch } = sheddingFetch(1, '0', true)
    const api = createClient(server.url, { token: booker.token, fetch })

    const booking = await unwrap(
      withRetry(({ idempotencyKey }) =>
        api.api.bookings.$post({ json, header: { 'idempotency-key': idempotencyKey } }),
      ),
    )
    expect(booking).toMatchObject({ venue_id: venue, start_datetime: start })
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])

    const mine = createClient(server.url, { token: booker.token })
    const ids: number[] = []
    for await (const own of paginate(mine.api.bookings)) ids.push(own.id)
    expect(ids).toEqual([booking.id])
  })

  test('gives up after `attempts` tries and answers the last refusal', async () => {
    const { keys, fetch } = sheddingFetch(5, '0')
    const api = createClient(server.url, { fetch })
    const res = await withRetry(() => api.api.venues.$get({ query: {} }), { attempts: 3 })
    expect(res.status).toBe(503)
    expect(keys).toHaveLength(3)
  })

  test('a Retry-After past maxDelayMs ends the retries; the error says when to retry', async () => {
    const { keys, fetch } = sheddingFetch(1, '120')
    const api = createClient(server.url, { fetch })
    const venues = withRetry(() => api.api.venues.$get({ query: {} }), { maxDelayMs: 10_000 })
    const error = await unwrap(venues).catch((e: unknown) => e)
    expect(keys).toHaveLength(1)
    expect(error).toBeInstanceOf(ApiError)
    const refused = error as ApiError
    expect(refused.status).toBe(503)
    expect(refused.problem).toMatchObject({ status: 503, reason: 'in_flight' })
    expect(refused.headers.get('X-Request-Id')).toBe('shed-1')
    expect(refused.retryAfter).toBe(120)
  })

  test('the answer a route declares for a status is typed, without throwing', async () => {
    const other = await f.user()
    const venue = await f.venue()
    const start = hoursAhead(44)
    const json = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
    const api = createClient(server.url, { token: other.token })
    expect((await api.api.bookings.$post({ json })).status).toBe(201)
    const res = await api.api.bookings.$post({ json })
    if (res.status !== 409) throw new Error(`expected 409, got ${res.status}`)
    const problem = await res.json()
    expect(problem.conflict).toMatchObject({ source: 'booking', start_datetime: start })
  })
})
