import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readJson, testApp, type TestApp } from '../support/app'
import { jsonInit, type TestUser } from '../support/users'
import { book, dateAhead, fixtures, get, patch, putRules, utcAt } from './fixtures'

let t: TestApp
let admin: TestUser
let owner: TestUser
let other: TestUser
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
  ;[admin, owner, other] = await Promise.all([f.user('admin'), f.user(), f.user()])
})
afterAll(async () => {
  await f.cleanup()
})

const day = dateAhead(9)
const at = (time: string) => utcAt(day, time)

async function booked(venue: number, from: string, to: string, items?: object[]) {
  const res = await book(t, owner, {
    venue_id: venue,
    start_datetime: at(from),
    end_datetime: at(to),
    ...(items ? { items } : {}),
  })
  expect(res.status).toBe(201)
  return readJson(res)
}

describe('PATCH /api/bookings/{id}', () => {
  test('moves a booking: new times, total priced again, the old slot free for others', async () => {
    const venue = await f.venue({ hourlyPriceCents: 2000 })
    const booking = await booked(venue, '10:00', '11:00')
    const res = await patch(t, owner, `/api/bookings/${booking.id}`, {
      start_datetime: at('14:00'),
      end_datetime: at('15:30'),
      notes: 'later',
    })
    expect(res.status).toBe(200)
    expect(await readJson(res)).toMatchObject({
      id: booking.id,
      start_datetime: at('14:00'),
      end_datetime: at('15:30'),
      total_cents: 3000,
      notes: 'later',
      status: 'confirmed',
    })
    const taken = await book(t, other, {
      venue_id: venue,
      start_datetime: at('10:00'),
      end_datetime: at('11:00'),
    })
    expect(taken.status).toBe(201)
    const clash = await book(t, other, {
      venue_id: venue,
      start_datetime: at('15:00'),
      end_datetime: at('16:00'),
    })
    expect(clash.status).toBe(409)
  })

  test('a move onto another booking is 409 and changes nothing', async () => {
    const venue = await f.venue()
    const mine = await booked(venue, '08:00', '09:00')
    const theirs = await book(t, other, {
      venue_id: venue,
      start_datetime: at('12:00'),
      end_datetime: at('13:00'),
    })
    expect(theirs.status).toBe(201)
    const res = await patch(t, owner, `/api/bookings/${mine.id}`, {
      start_datetime: at('12:30'),
      end_datetime: at('13:30'),
    })
    expect(res.status).toBe(409)
    expect((await readJson(res)).conflict).toEqual({
      source: 'booking',
      start_datetime: at('12:00'),
      end_datetime: at('13:00'),
    })
    const after = await readJson(await get(t, owner, `/api/bookings/${mine.id}`))
    expect(after).toMatchObject({ start_datetime: at('08:00'), end_datetime: at('09:00') })
  })

  test('a booking may slide over its own slot', async () => {
    const venue = await f.venue()
    const mine = await booked(venue, '08:00', '10:00')
    const res = await patch(t, owner, `/api/bookings/${mine.id}`, {
      start_datetime: at('09:00'),
      end_datetime: at('11:00'),
    })
    expect(res.status).toBe(200)
  })

  test('items are replaced with their stock checked for the slot, without the booking itself', async () => {
    const venue = await f.venue({ hourlyPriceCents: 0 })
    const other_venue = await f.venue()
    const racket = await f.item({ stock: 3, priceCents: 300 })
    const mine = await booked(venue, '10:00', '11:00', [{ item_id: racket, quantity: 2 }])
    // two of three are mine: asking for three in the same slot only counts the others'
    const three = await patch(t, owner, `/api/bookings/${mine.id}`, {
      items: [{ item_id: racket, quantity: 3 }],
    })
    expect(three.status).toBe(200)
    expect(await readJson(three)).toMatchObject({
      total_cents: 900,
      items: [expect.objectContaining({ item_id: racket, quantity: 3 })],
    })
    // someone else holds one racket at 14:00: moving there with three is short by one
    const theirs = await book(t, other, {
      venue_id: other_venue,
      start_datetime: at('14:00'),
      end_datetime: at('15:00'),
      items: [{ item_id: racket, quantity: 1 }],
    })
    expect(theirs.status).toBe(201)
    const short = await patch(t, owner, `/api/bookings/${mine.id}`, {
      start_datetime: at('14:00'),
      end_datetime: at('15:00'),
    })
    expect(short.status).toBe(409)
    expect((await readJson(short)).items).toEqual([{ item_id: racket, requested: 3, available: 2 }])
    const none = await patch(t, owner, `/api/bookings/${mine.id}`, {
      start_datetime: at('14:00'),
      end_datetime: at('15:00'),
      items: [],
    })
    expect(none.status).toBe(200)
    expect(await readJson(none)).toMatchObject({ total_cents: 0, items: [] })
  })

  test('the venue rules apply to the new slot, and the cut-off to the booking as it is', async () => {
    const venue = await f.venue()
    const mine = await booked(venue, '10:00', '11:00')
    await putRules(t, admin, venue)
    const night = await patch(t, owner, `/api/bookings/${mine.id}`, {
      start_datetime: at('03:00'),
      end_datetime: at('04:00'),
    })
    expect(night.status).toBe(422)
    expect((await readJson(night)).rule).toBe('opening_hours')

    await putRules(t, admin, venue, { cancel_cutoff_minutes: 30 * 24 * 60 })
    const late = await patch(t, owner, `/api/bookings/${mine.id}`, { notes: 'again' })
    expect(late.status).toBe(422)
    expect((await readJson(late)).rule).toBe('cancellation_cutoff')
    const byAdmin = await patch(t, admin, `/api/bookings/${mine.id}`, {
      start_datetime: at('12:00'),
      end_datetime: at('13:00'),
    })
    expect(byAdmin.status).toBe(200)
  })

  test('other users get 404; cancelled bookings and bad bodies are refused', async () => {
    const venue = await f.venue()
    const mine = await booked(venue, '16:00', '17:00')
    expect((await patch(t, other, `/api/bookings/${mine.id}`, { notes: 'x' })).status).toBe(404)
    expect((await patch(t, owner, `/api/bookings/${mine.id}`, {})).status).toBe(400)
    expect(
      (await patch(t, owner, `/api/bookings/${mine.id}`, { start_datetime: at('18:00') })).status,
    ).toBe(400)
    expect(
      (await patch(t, owner, `/api/bookings/${mine.id}`, { start_datetime: '2031-01-01T10:00:00' }))
        .status,
    ).toBe(400)
    await t.app.request(`/api/bookings/${mine.id}/cancel`, { method: 'POST', headers: owner.auth })
    const res = await patch(t, owner, `/api/bookings/${mine.id}`, { notes: 'x' })
    expect(res.status).toBe(409)
    expect((await readJson(res)).type).toBe('urn:problem:not-movable')
  })

  test('an Idempotency-Key replays the first answer; another body with it is 422', async () => {
    const venue = await f.venue()
    const mine = await booked(venue, '18:00', '19:00')
    const send = (body: object) =>
      t.app.request(
        `/api/bookings/${mine.id}`,
        jsonInit('PATCH', body, { ...owner.auth, 'Idempotency-Key': `move-${mine.id}` }),
      )
    const body = { start_datetime: at('19:00'), end_datetime: at('20:00') }
    const first = await send(body)
    expect(first.status).toBe(200)
    const firstBody = await readJson(first)
    // someone takes the old slot meanwhile; the retry still answers the first result
    await book(t, other, {
      venue_id: venue,
      start_datetime: at('18:00'),
      end_datetime: at('19:00'),
    })
    const retry = await send(body)
    expect(retry.status).toBe(200)
    expect(await readJson(retry)).toEqual(firstBody)
    const reused = await send({ start_datetime: at('20:00'), end_datetime: at('21:00') })
    expect(reused.status).toBe(422)
  })
})
