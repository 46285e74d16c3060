import { afterAll, beforeAll } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { items, regularPrograms, venueBookingRules, venues } from '../../src/db/schema'
import type { BookingRules } from '../../src/services/venues/booking-rules'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'
import { testApp, uniq, usingPostgres, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'

const HOUR = 3_600_000

/**
 * Whole hours from a UTC midnight at least a day ahead, never in the past: counted from a day's
 * start rather than from the next hour, a test's slots lie on the same local dates whenever it
 * runs.
 */
export const hoursAhead = (hours: number) => {
  const day = 24 * HOUR
  const midnight = Math.ceil(Date.now() / day) * day + day
  return new Date(midnight + hours * HOUR).toISOString()
}

export const minutesAfter = (instant: string, minutes: number) =>
  new Date(new Date(instant).getTime() + minutes * 60_000).toISOString()

interface ItemFields {
  kind?: 'rental' | 'merchandise'
  priceCents?: number
  stock?: number
  isActive?: boolean
}

/**
 * The rules of the venues these fixtures make: open around the clock, any whole minute, up to a
 * day, years ahead, cancellable until the start. Tests of other behaviour book whatever slot they
 * need; tests of the rules themselves set a venue's rules through the admin route.
 */
export const aroundTheClock: BookingRules = {
  openingHours: AROUND_THE_CLOCK,
  slotMinutes: 1,
  minMinutes: 1,
  maxMinutes: 24 * 60,
  bufferMinutes: 0,
  leadTimeMinutes: 0,
  maxAdvanceDays: 3650,
  cancelCutoffMinutes: 0,
}

/** Everything one test file made, removed again in foreign-key order. */
export function fixtures(t: () => TestApp) {
  const made = {
    users: [] as number[],
    venues: [] as number[],
    items: [] as number[],
    programs: [] as number[],
  }

  return {
    /** Rows made elsewhere (through the admin API) that cleanup should remove too. */
    track: {
      venue: (id: number) => void made.venues.push(id),
      program: (id: number) => void made.programs.push(id),
    },

    async user(role: 'user' | 'admin' = 'user'): Promise<TestUser> {
      const user = await makeUser(t(), role)
      made.users.push(user.id)
      return user
    },

    async venue(fields: { hourlyPriceCents?: number; isActive?: boolean } = {}): Promise<number> {
      const [row] = await t()
        .database.db.insert(venues)
        .values({
          name: `Court ${uniq()}`,
          capacity: 10,
          hourlyPriceCents: fields.hourlyPriceCents ?? 2000,
          isActive: fields.isActive ?? true,
        })
        .returning({ id: venues.id })
      made.venues.push(row!.id)
      await t()
        .database.db.insert(venueBookingRules)
        .values({ venueId: row!.id, ...aroundTheClock })
      return row!.id
    },

    async venues(count: number): Promise<number[]> {
      const rows = await t()
        .database.db.insert(venues)
        .values(
          Array.from({ length: count }, () => ({
            name: `Hall ${uniq()}`,
            capacity: 10,
            hourlyPriceCents: 1000,
          })),
        )
        .returning({ id: venues.id })
      made.venues.push(...rows.map((r) => r.id))
      await t()
        .database.db.insert(venueBookingRules)
        .values(rows.map((r) => ({ venueId: r.id, ...aroundTheClock })))
      return rows.map((r) => r.id)
    },

    async item(fields: ItemFields = {}): Promise<number> {
      const [row] = await t()
        .database.db.insert(items)
        .values({
          name: `Racket ${uniq()}`,
          kind: fields.kind ?? 'rental',
          priceCents: fields.priceCents ?? 300,
          stock: fields.stock ?? 10,
          isActive: fields.isActive ?? true,
        })
        .returning({ id: items.id })
      made.items.push(row!.id)
      return row!.id
    },

    async program(venueId: number): Promise<number> {
      const [row] = await t()
        .database.db.insert(regularPrograms)
        .values({
          venueId,
          name: `Yoga ${uniq()}`,
          weekdays: [1, 3],
          startTime: '18:00',
          durationMinutes: 60,
          startsOn: '2030-01-01',
          endsOn: '2030-06-30',
          capacity: 20,
          priceCents: 9000,
        })
        .returning({ id: regularPrograms.id })
      made.programs.push(row!.id)
      return row!.id
    },

    async cleanup() {
      const { db } = t().database
      await removeUsers(t(), made.users)
      if (made.programs.length) {
        await db.delete(regularPrograms).where(inArray(regularPrograms.id, made.programs))
      }
      if (made.items.length) await db.delete(items).where(inArray(items.id, made.items))
      if (made.venues.length) await db.delete(venues).where(inArray(venues.id, made.venues))
    },
  }
}

/** The usual set-up: the app, an admin and a user; what a file made goes after its tests. */
export function adminAndUser() {
  let t: TestApp | undefined
  let admin: TestUser | undefined
  let user: TestUser | undefined
  const f = fixtures(() => t!)
  beforeAll(async () => {
    t = await testApp()
    ;[admin, user] = await Promise.all([f.user('admin'), f.user()])
  })
  afterAll(() => f.cleanup())
  return {
    f,
    get t() {
      return t!
    },
    get admin() {
      return admin!
    },
    get user() {
      return user!
    },
  }
}

/**
 * The set-up of a race over real HTTP (PostgreSQL only): the app served on a loopback port and
 * `userCount` users to send as, made before the file's tests and removed after them. On PGlite
 * only the app is made, for the skipped tests' sake.
 */
export function racers(userCount: number) {
  let t: TestApp | undefined
  let server: ReturnType<typeof serve> | undefined
  let users: TestUser[] = []
  const f = fixtures(() => t!)
  beforeAll(async () => {
    t = await testApp()
    if (!usingPostgres) return
    server = serve(t)
    users = await Promise.all(Array.from({ length: userCount }, () => f.user()))
  })
  afterAll(async () => {
    server?.stop()
    await f.cleanup()
  })
  return {
    f,
    get t() {
      return t!
    },
    get url() {
      return server!.url
    },
    get users() {
      return users
    },
  }
}

export interface BookingRequest {
  venue_id: number
  start_datetime: string
  end_datetime: string
  items?: { item_id: number; quantity: number }[]
  notes?: string
}

export const book = (
  t: TestApp,
  user: TestUser,
  body: BookingRequest | Record<string, unknown>,
  headers: Record<string, string> = {},
) => t.app.request('/api/bookings', jsonInit('POST', body, { ...user.auth, ...headers }))

export const get = (t: TestApp, user: TestUser, path: string) =>
  t.app.request(path, { headers: user.auth })

export const post = (t: TestApp, user: TestUser, path: string) =>
  t.app.request(path, { method: 'POST', headers: user.auth })

export const patch = (t: TestApp, user: TestUser, path: string, body: unknown) =>
  t.app.request(path, jsonInit('PATCH', body, user.auth))

/** The default rules as the admin route writes them; tests override what they exercise. */
export const defaultRulesBody = {
  opening_hours: Object.fromEntries(
    ['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ open: '08:00', close: '22:00' }]]),
  ),
  slot_minutes: 30,
  min_minutes: 30,
  max_minutes: 240,
  buffer_minutes: 0,
  lead_time_minutes: 60,
  max_advance_days: 180,
  cancel_cutoff_minutes: 1440,
}

export const putRules = (t: TestApp, admin: TestUser, venueId: number, over: object = {}) =>
  t.app.request(
    `/api/admin/venues/${venueId}/rules`,
    jsonInit('PUT', { ...defaultRulesBody, ...over }, admin.auth),
  )

/** The UTC calendar date `days` from today, YYYY-MM-DD. */
export const dateAhead = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
export const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7

/** An instant on a UTC date at HH:MM, as the API writes it. */
export const utcAt = (date: string, time: string) => `${date}T${time}:00.000Z`
