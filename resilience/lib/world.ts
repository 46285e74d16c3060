import type { Api } from './api'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'

/** The admin every suite server creates at start-up (ADMIN_EMAIL / ADMIN_PASSWORD). */
export const ADMIN = {
  email: 'resilience-admin@example.com',
  password: 'resilience admin password',
}
export const adminEnv = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }

export interface Person {
  id: number
  email: string
  token: string
}

export interface Venue {
  id: number
  hourly_price_cents: number
}

export interface Item {
  id: number
  kind: 'rental' | 'merchandise'
  price_cents: number
  stock: number
}

export interface World {
  admin: Person
  users: Person[]
  venues: Venue[]
  rentals: Item[]
  merch: Item[]
}

export interface WorldSize {
  users: number
  venues: number
  rentals: number
  merch: number
  /** Stock of each item. */
  stock: number
}

export async function loginAdmin(client: Api): Promise<Person> {
  const body = await client.must(200, 'POST', '/api/auth/login', { json: ADMIN })
  return { id: body.user.id, email: ADMIN.email, token: body.token }
}

export async function registerUser(client: Api, label: string): Promise<Person> {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`
  const password = 'resilience user password'
  await client.must(202, 'POST', '/api/auth/register', { json: { email, password, name: label } })
  const body = await client.must(200, 'POST', '/api/auth/login', { json: { email, password } })
  return { id: body.user.id, email, token: body.token }
}

/** Booking rules that take any whole hour around the clock, up to three years ahead. */
const OPEN_ALWAYS_RULES = {
  opening_hours: AROUND_THE_CLOCK,
  slot_minutes: 60,
  min_minutes: 60,
  max_minutes: 1440,
  buffer_minutes: 0,
  lead_time_minutes: 0,
  max_advance_days: 1095,
  cancel_cutoff_minutes: 0,
}

/** Users, venues and items made through the API, as a client would. */
export async function buildWorld(client: Api, size: WorldSize): Promise<World> {
  const admin = await loginAdmin(client)
  const users = await Promise.all(
    Array.from({ length: size.users }, (_, i) => registerUser(client, `resilience-user-${i}`)),
  )
  const venues: Venue[] = []
  for (let i = 0; i < size.venues; i++) {
    const body = await client.must(201, 'POST', '/api/admin/venues', {
      token: admin.token,
      json: { name: `Hall ${i}`, capacity: 20, hourly_price_cents: 1500 + 250 * i },
    })
    // Open around the clock, booked up to the API's furthest advance: slotMaker's hour after
    // hour, which the default rules (opening hours, 180 days ahead) would refuse with 422.
    await client.must(200, 'PUT', `/api/admin/venues/${body.id}/rules`, {
      token: admin.token,
      json: OPEN_ALWAYS_RULES,
    })
    venues.push({ id: body.id, hourly_price_cents: body.hourly_price_cents })
  }
  const item = async (kind: Item['kind'], i: number): Promise<Item> => {
    const body = await client.must(201, 'POST', '/api/admin/items', {
      token: admin.token,
      json: { name: `${kind} ${i}`, kind, price_cents: 300 + 125 * i, stock: size.stock },
    })
    return { id: body.id, kind, price_cents: body.price_cents, stock: body.stock }
  }
  const rentals: Item[] = []
  for (let i = 0; i < size.rentals; i++) rentals.push(await item('rental', i))
  const merch: Item[] = []
  for (let i = 0; i < size.merch; i++) merch.push(await item('merchandise', i))
  return { admin, users, venues, rentals, merch }
}

const HOUR_MS = 3_600_000

/**
 * Distinct one-hour slots, round-robin over the venues, starting on a random future day so runs
 * against a shared database do not collide; within a year from it, so inside the venues' rules
 * (buildWorld) for far more bookings than a scenario makes.
 */
export function slotMaker(venues: Venue[]) {
  const day = 30 + Math.floor(Math.random() * 300)
  const origin = Math.floor(Date.now() / 86_400_000 + day) * 86_400_000
  let n = 0
  return () => {
    const i = n++
    const venue = venues[i % venues.length]!
    const start = new Date(origin + Math.floor(i / venues.length) * HOUR_MS)
    const end = new Date(start.getTime() + HOUR_MS)
    return { venue, start_datetime: start.toISOString(), end_datetime: end.toISOString() }
  }
}

export type Slot = ReturnType<ReturnType<typeof slotMaker>>

/** The JSON body of a booking of `slot`, with whatever else the call sends (items, notes). */
export const bookingBody = (slot: Slot, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    venue_id: slot.venue.id,
    start_datetime: slot.start_datetime,
    end_datetime: slot.end_datetime,
    ...extra,
  })

/** A random element; undefined only for an empty list. */
export const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!
export const pickOrNone = <T>(list: readonly T[]): T | undefined =>
  list[Math.floor(Math.random() * list.length)]
