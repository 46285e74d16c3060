import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../src/db/schema'
import { expireKeys } from '../../src/services/idempotency/expire-keys'
import { readJson, testApp, type TestApp } from '../support/app'
import type { TestUser } from '../support/users'
import { book, fixtures, get, hoursAhead, minutesAfter, post } from './fixtures'

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

/** An hour-long booking of a venue of its own, `hours` from now. */
async function hourAt(hours: number) {
  const start = hoursAhead(hours)
  return { venue_id: await f.venue(), start_datetime: start, end_datetime: minutesAfter(start, 60) }
}

const keyed = () => ({ 'Idempotency-Key': `idem-${crypto.randomUUID()}` })

/**
 * The stored row of a key, changed as a request that is still running (or whose process died
 * `ageSeconds` ago) leaves it: claimed, with no answer yet.
 */
async function leaveRunning(user: TestUser, key: string, ageSeconds = 0) {
  const changed = await t.database.db
    .update(idempotencyKeys)
    .set({
      statusCode: 0,
      responseBody: sql`'null'::jsonb`,
      createdAt: sql`now() - make_interval(secs => ${ageSeconds})`,
    })
    .where(
      and(
        eq(idempotencyKeys.userId, user.id),
        eq(idempotencyKeys.route, 'POST /api/bookings'),
        eq(idempotencyKeys.key, key),
      ),
    )
    .returning({ key: idempotencyKeys.key })
  expect(changed).toHaveLength(1)
}

describe('Idempotency-Key on POST /api/bookings', () => {
  test('a replay answers 201 with the first body, its Location, and books once', async () => {
    const user = await f.user()
    const item = await f.item({ priceCents: 200 })
    const body = {
      ...(await hourAt(30)),
      items: [{ item_id: item, quantity: 2 }],
      notes: 'replayed',
    }
    const key = keyed()
    const first = await book(t, user, body, key)
    expect(first.status).toBe(201)
    const booked = await readJson(first)
    const again = await book(t, user, body, key)
    expect(again.status).toBe(201)
    expect(again.headers.get('location')).toBe(`/api/bookings/${booked.id}`)
    expect(await readJson(again)).toEqual(booked)
    expect(await countOwn(user)).toBe(1)
  })

  test('the same instants written with another offset are the same request', async () => {
    const user = await f.user()
    const body = await hourAt(31)
    const key = keyed()
    const first = await readJson(await book(t, user, body, key))
    const shifted = (iso: string) =>
      new Date(new Date(iso).getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00')
    const { start_datetime, end_datetime } = body
    const moved = {
      ...body,
      start_datetime: shifted(start_datetime),
      end_datetime: shifted(end_datetime),
    }
    const again = await book(t, user, moved, key)
    expect(again.status).toBe(201)
    expect((await readJson(again)).id).toBe(first.id)
  })

  test('another body with the key is 422 problem and changes nothing', async () => {
    const user = await f.user()
    const key = keyed()
    const body = await hourAt(32)
    expect((await book(t, user, body, key)).status).toBe(201)
    const other = await book(t, user, { ...body, notes: 'changed my mind' }, key)
    expect(other.status).toBe(422)
    expect(other.headers.get('content-type')).toContain('application/problem+json')
    expect(await readJson(other)).toMatchObject({
      type: 'urn:problem:idempotency-key-reused',
      status: 422,
    })
    expect(await countOwn(user)).toBe(1)
  })

  test('a retry while the first request still runs is 409 with Retry-After', async () => {
    const user = await f.user()
    const body = await hourAt(33)
    const key = keyed()
    expect((await book(t, user, body, key)).status).toBe(201)
    await leaveRunning(user, key['Idempotency-Key'])
    const retry = await book(t, user, body, key)
    expect(retry.status).toBe(409)
    expect(retry.headers.get('retry-after')).toBe('1')
    expect(await readJson(retry)).toMatchObject({
      type: 'urn:problem:idempotency-in-progress',
      status: 409,
    })
    // Another body is told about the reuse first, as before the first request finished.
    expect((await book(t, user, { ...body, notes: 'other' }, key)).status).toBe(422)
    expect(await countOwn(user)).toBe(1)
  })

  test('a key left claimed by a request that died over a minute ago is taken over', async () => {
    const user = await f.user()
    const body = await hourAt(34)
    const key = keyed()
    const first = await readJson(await book(t, user, body, key))
    // The slot is free again, and the key looks like its request never answered.
    expect((await post(t, user, `/api/bookings/${first.id}/cancel`)).status).toBe(200)
    await leaveRunning(user, key['Idempotency-Key'], 120)
    const retry = await book(t, user, body, key)
    expect(retry.status).toBe(201)
    const rebooked = await readJson(retry)
    expect(rebooked.id).not.toBe(first.id)
    // And the new answer is the one replayed from now on.
    expect(await readJson(await book(t, user, body, key))).toEqual(rebooked)
  })

  test('a key is the caller’s own: another user with it books afresh', async () => {
    const [one, two] = [await f.user(), await f.user()]
    const venue = await f.venue()
    const key = keyed()
    const start = hoursAhead(35)
    const slot = (hours: number) => ({
      venue_id: venue,
      start_datetime: minutesAfter(start, hours * 60),
      end_datetime: minutesAfter(start, hours * 60 + 60),
    })
    expect((await book(t, one, slot(0), key)).status).toBe(201)
    expect((await book(t, two, slot(2), key)).status).toBe(201)
    expect(await countOwn(two)).toBe(1)
  })

  test('keys older than IDEMPOTENCY_KEY_HOURS are swept; a retry with one runs anew', async () => {
    const user = await f.user()
    const [body, other] = [await hourAt(37), await hourAt(38)]
    const [old, recent] = [keyed(), keyed()]
    const first = await readJson(await book(t, user, body, old))
    expect((await post(t, user, `/api/bookings/${first.id}/cancel`)).status).toBe(200)
    const kept = await readJson(await book(t, user, other, recent))
    await t.database.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(idempotencyKeys.key, old['Idempotency-Key']))
    // One key per statement, so the sweep goes on past a full batch.
    expect(await expireKeys(t.database.db, 24, { batchSize: 1 })).toBeGreaterThanOrEqual(1)
    expect(await readJson(await book(t, user, other, recent))).toEqual(kept)
    const retry = await book(t, user, body, old)
    expect(retry.status).toBe(201)
    expect((await readJson(retry)).id).not.toBe(first.id)
  })

  test('a malformed key is 400 and books nothing', async () => {
    const user = await f.user()
    const body = await hourAt(36)
    const res = await book(t, user, body, { 'Idempotency-Key': 'has space' })
    expect(res.status).toBe(400)
    expect(await countOwn(user)).toBe(0)
  })
})
