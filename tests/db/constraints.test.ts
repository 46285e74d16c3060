import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../../src/db/client'
import { bookings, items, users, venues } from '../../src/db/schema'
import { sqlState } from '../../src/db/errors'
import { sharedDatabase, uniq } from '../support/app'

let db: Db
let userId: number
let venueId: number
const created: number[] = []

const at = (hour: number, minute = 0) => new Date(Date.UTC(2031, 0, 15, hour, minute))

async function book(start: Date, end: Date, status: 'confirmed' | 'cancelled' | 'pending' = 'confirmed') {
  const [row] = await db
    .insert(bookings)
    .values({ userId, venueId, startDatetime: start, endDatetime: end, status, totalCents: 1000 })
    .returning({ id: bookings.id })
  created.push(row!.id)
  return row!.id
}

async function refusal(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work()
  } catch (error) {
    return sqlState(error)
  }
  return undefined
}

beforeAll(async () => {
  db = (await sharedDatabase()).db
  const [user] = await db
    .insert(users)
    .values({ email: `constraints-${uniq()}@example.com`, passwordHash: 'x', name: 'C' })
    .returning({ id: users.id })
  const [venue] = await db
    .insert(venues)
    .values({ name: `Constraint hall ${uniq()}`, capacity: 10, hourlyPriceCents: 1000 })
    .returning({ id: venues.id })
  userId = user!.id
  venueId = venue!.id
})

afterAll(async () => {
  if (created.length) await db.delete(bookings).where(inArray(bookings.id, created))
  await db.delete(venues).where(eq(venues.id, venueId))
  await db.delete(users).where(eq(users.id, userId))
})

describe('the database itself refuses a double booking', () => {
  test('an overlapping active booking of the same venue fails with SQLSTATE 23P01', async () => {
    await book(at(10), at(12))
    expect(await refusal(() => book(at(11), at(13)))).toBe('23P01')
    expect(await refusal(() => book(at(9), at(10, 30), 'pending'))).toBe('23P01')
  })

  test('a cancelled booking does not block the slot', async () => {
    await book(at(14), at(15), 'cancelled')
    expect(await refusal(() => book(at(14), at(15)))).toBeUndefined()
  })

  test('touching intervals are allowed (end equals the next start)', async () => {
    await book(at(16), at(17))
    expect(await refusal(() => book(at(17), at(18)))).toBeUndefined()
    expect(await refusal(() => book(at(15, 30), at(16)))).toBeUndefined()
  })

  test('cancelling a booking frees its slot for a new one', async () => {
    const id = await book(at(20), at(21))
    await db.update(bookings).set({ status: 'cancelled' }).where(eq(bookings.id, id))
    expect(await refusal(() => book(at(20), at(21)))).toBeUndefined()
  })
})

describe('check constraints', () => {
  test('a booking that ends before it starts is refused', async () => {
    expect(await refusal(() => book(at(8), at(7)))).toBe('23514')
    expect(await refusal(() => book(at(8), at(8)))).toBe('23514')
  })

  test('negative prices, negative stock and a zero capacity are refused', async () => {
    const name = `bad-${uniq()}`
    expect(
      await refusal(() => db.insert(items).values({ name, kind: 'rental', priceCents: -1, stock: 1 })),
    ).toBe('23514')
    expect(
      await refusal(() => db.insert(items).values({ name, kind: 'rental', priceCents: 1, stock: -1 })),
    ).toBe('23514')
    expect(
      await refusal(() => db.insert(venues).values({ name, capacity: 0, hourlyPriceCents: 1 })),
    ).toBe('23514')
  })

  test('emails are unique regardless of case', async () => {
    const email = `Case-${uniq()}@Example.com`
    const [first] = await db
      .insert(users)
      .values({ email, passwordHash: 'x', name: 'A' })
      .returning({ id: users.id })
    expect(
      await refusal(() =>
        db.insert(users).values({ email: email.toLowerCase(), passwordHash: 'x', name: 'B' }),
      ),
    ).toBe('23505')
    await db.delete(users).where(eq(users.id, first!.id))
  })
})
