import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { regularPrograms, venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { insertUsers } from '../support/bulk-users'

let t: TestApp
let admin: TestUser
let user: TestUser
let berlin: { id: number }
let utc: { id: number }
const userIds: number[] = []
const venueIds: number[] = []
const programIds: number[] = []

const newProgram = (over: Record<string, unknown> = {}) => ({
  venue_id: berlin.id,
  name: `Yoga ${uniq()}`,
  weekdays: [3, 1],
  start_time: '18:30',
  duration_minutes: 90,
  starts_on: '2031-03-15',
  ends_on: '2031-04-12',
  capacity: 10,
  price_cents: 12000,
  ...over,
})

async function createVenue(timezone: string) {
  const res = await t.app.request(
    '/api/admin/venues',
    jsonInit(
      'POST',
      { name: `Studio ${uniq()}`, capacity: 30, hourly_price_cents: 1000, timezone },
      admin.auth,
    ),
  )
  expect(res.status).toBe(201)
  const venue = await readJson(res)
  venueIds.push(venue.id)
  return venue
}

/** Sessions occupy their venue, so each program gets a venue of its own unless told otherwise. */
async function createProgram(over: Record<string, unknown> = {}) {
  const venue_id = over.venue_id ?? (await createVenue('Europe/Berlin')).id
  const res = await send(
    'POST',
    '/api/admin/programs',
    newProgram({ venue_id, ...over }),
    admin.auth,
  )
  expect(res.status).toBe(201)
  const program = await readJson(res)
  programIds.push(program.id)
  return program
}

/** A user holding a token, inserted directly: registering costs an argon2 hash each. */
async function someone() {
  const [made] = await insertUsers(t, 1)
  userIds.push(made!.id)
  return made!
}

const enrol = (id: number, who: { auth: Record<string, string> }) =>
  t.app.request(`/api/programs/${id}/enroll`, { method: 'POST', headers: who.auth })

/** Every row of a list, following next_cursor (the table is shared with other tests). */
async function walk(path: string, headers: Record<string, string> = {}) {
  const rows: any[] = []
  let url: string | null = path
  while (url) {
    const body = await readJson(await t.app.request(url, { headers }))
    rows.push(...body.items)
    const cursor = body.pagination.next_cursor as string | null
    url = cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}` : null
  }
  return rows
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10)

const remove = (path: string, headers: Record<string, string>) =>
  t.app.request(path, { method: 'DELETE', headers })
const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers })
const errorPaths = async (res: Response): Promise<string[]> =>
  (await readJson(res)).errors.map((e: { path: string }) => e.path)

const send = (method: string, path: string, body: unknown, headers = {}) =>
  t.app.request(path, jsonInit(method, body, headers))
beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  user = await makeUser(t)
  userIds.push(admin.id, user.id)
  berlin = await createVenue('Europe/Berlin')
  utc = await createVenue('UTC')
})

afterAll(async () => {
  await removeUsers(t, userIds)
  const { db } = t.database
  if (programIds.length) {
    await db.delete(regularPrograms).where(inArray(regularPrograms.id, programIds))
  }
  if (venueIds.length) await db.delete(venues).where(inArray(venues.id, venueIds))
})

describe('programs', () => {
  test('an admin creates a program; anyone reads it with its seats taken', async () => {
    const program = await createProgram({ description: 'Bring a mat', venue_id: berlin.id })
    expect(program).toEqual({
      id: expect.any(Number),
      venue_id: berlin.id,
      name: expect.stringMatching(/^Yoga /),
      description: 'Bring a mat',
      weekdays: [1, 3],
      start_time: '18:30',
      duration_minutes: 90,
      starts_on: '2031-03-15',
      ends_on: '2031-04-12',
      capacity: 10,
      price_cents: 12000,
      is_active: true,
      enrolled: 0,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    })
    const res = await t.app.request(`/api/programs/${program.id}`)
    expect(res.status).toBe(200)
    expect(await readJson(res)).toEqual(program)
    const listed = await walk('/api/programs?page_size=100')
    expect(listed.find((p) => p.id === program.id)).toEqual(program)
  })

  test('bad program fields are a 400 listing each one, and nothing is created', async () => {
    const name = `Bad ${uniq()}`
    const res = await t.app.request(
      '/api/admin/programs',
      jsonInit(
        'POST',
        newProgram({
          name,
          weekdays: [0, 8],
          start_time: '25:00',
          duration_minutes: 0,
          starts_on: '2031-02-30',
          capacity: 0,
          price_cents: -1,
        }),
        admin.auth,
      ),
    )
    expect(res.status).toBe(400)
    const paths = await errorPaths(res)
    expect([...new Set(paths)].sort()).toEqual([
      'capacity',
      'duration_minutes',
      'price_cents',
      'start_time',
      'starts_on',
      'weekdays.0',
      'weekdays.1',
    ])

    const cases: [Record<string, unknown>, string][] = [
      [{ weekdays: [1, 1] }, 'weekdays'],
      [{ weekdays: [] }, 'weekdays'],
      [{ start_time: '7:30' }, 'start_time'],
      [{ ends_on: '2031-03-14' }, 'ends_on'],
      [{ ends_on: '2031/04/12' }, 'ends_on'],
      // a Saturday-to-Sunday range holds no Monday or Wednesday
      [{ starts_on: '2031-03-15', ends_on: '2031-03-16' }, 'weekdays'],
      [{ venue_id: 'one' }, 'venue_id'],
    ]
    for (const [over, path] of cases) {
      const body = newProgram({ name, ...over })
      const bad = await send('POST', '/api/admin/programs', body, admin.auth)
      expect(bad.status).toBe(400)
      expect(await errorPaths(bad)).toEqual([path])
    }
    const noVenue = await t.app.request(
      '/api/admin/programs',
      jsonInit('POST', newProgram({ name, venue_id: 999999999999 }), admin.auth),
    )
    expect(noVenue.status).toBe(400)
    expect((await readJson(noVenue)).errors).toEqual([
      { path: 'venue_id', message: 'no such venue' },
    ])

    const admins = await walk('/api/admin/programs?page_size=100', admin.auth)
    expect(admins.some((p) => p.name === name)).toBe(false)
  })

  test('PATCH checks the date range as it will be, against the stored dates', async () => {
    const program = await createProgram()
    const before = await t.app.request(
      `/api/admin/programs/${program.id}`,
      jsonInit('PATCH', { ends_on: '2031-03-01' }, admin.auth),
    )
    expect(before.status).toBe(400)
    expect(await errorPaths(before)).toEqual(['ends_on'])
    const noVenue = await t.app.request(
      `/api/admin/programs/${program.id}`,
      jsonInit('PATCH', { venue_id: 999999999999 }, admin.auth),
    )
    expect(noVenue.status).toBe(400)
    expect(await readJson(await t.app.request(`/api/programs/${program.id}`))).toEqual(program)

    const ok = await t.app.request(
      `/api/admin/programs/${program.id}`,
      jsonInit('PATCH', { ends_on: '2031-05-31', capacity: 25, start_time: '07:05' }, admin.auth),
    )
    expect(ok.status).toBe(200)
    expect(await readJson(ok)).toMatchObject({
      ends_on: '2031-05-31',
      capacity: 25,
      start_time: '07:05',
      starts_on: '2031-03-15',
      name: program.name,
    })
    const missing = await send(
      'PATCH',
      '/api/admin/programs/999999999999',
      { capacity: 2 },
      admin.auth,
    )
    expect(missing.status).toBe(404)
  })

  test('deleting a program deactivates it; the admin still sees it', async () => {
    const program = await createProgram()
    const del = await remove(`/api/admin/programs/${program.id}`, admin.auth)
    expect(del.status).toBe(204)
    expect((await t.app.request(`/api/programs/${program.id}`)).status).toBe(404)
    expect((await walk('/api/programs?page_size=100')).map((p) => p.id)).not.toContain(program.id)
    const admins = await walk('/api/admin/programs?page_size=100', admin.auth)
    expect(admins.find((p) => p.id === program.id)).toMatchObject({ is_active: false })
    expect((await enrol(program.id, user)).status).toBe(404)
    expect((await remove('/api/admin/programs/999999999999', admin.auth)).status).toBe(404)
  })

  test('admin routes need a token (401) and an admin (403)', async () => {
    expect((await t.app.request('/api/admin/programs')).status).toBe(401)
    expect((await get('/api/admin/programs', user.auth)).status).toBe(403)
    expect((await send('POST', '/api/admin/programs', newProgram(), user.auth)).status).toBe(403)
    expect((await send('POST', '/api/admin/programs', newProgram())).status).toBe(401)
    const program = await createProgram()
    const path = `/api/admin/programs/${program.id}`
    const patch = await send('PATCH', path, { capacity: 1 }, user.auth)
    expect(patch.status).toBe(403)
    const del = await remove(`/api/admin/programs/${program.id}`, user.auth)
    expect(del.status).toBe(403)
    expect((await readJson(await t.app.request(`/api/programs/${program.id}`))).capacity).toBe(10)
  })

  test('public reads send an ETag and answer If-None-Match with 304', async () => {
    const program = await createProgram()
    for (const path of [`/api/programs/${program.id}`, '/api/programs?page_size=5']) {
      const first = await t.app.request(path)
      const tag = first.headers.get('etag')
      expect(tag).toBeTruthy()
      expect((await t.app.request(path, { headers: { 'If-None-Match': tag! } })).status).toBe(304)
    }
  })

  test('lists page by id with offsets and cursors', async () => {
    for (let i = 0; i < 3; i++) await createProgram()
    const first = await readJson(await t.app.request('/api/programs?page_size=2'))
    expect(first.items).toHaveLength(2)
    expect(first.pagination).toMatchObject({ page: 1, page_size: 2, has_next: true })
    const ids = (await walk('/api/programs?page_size=2')).map((p) => p.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(first.pagination.total)
    expect((await t.app.request('/api/programs?page=0')).status).toBe(400)
  })
})

describe('enrolment', () => {
  test('enrolling books the program in the venue’s time zone, across a DST change', async () => {
    const venue = await createVenue('Europe/Berlin')
    const program = await createProgram({ venue_id: venue.id })
    const res = await enrol(program.id, user)
    expect(res.status).toBe(201)
    expect(await readJson(res)).toEqual({
      id: expect.any(Number),
      user_id: user.id,
      venue_id: venue.id,
      kind: 'program',
      program_id: program.id,
      // Monday 17 March 2031, 18:30 in Berlin (CET, UTC+1)
      start_datetime: '2031-03-17T17:30:00.000Z',
      // Wednesday 9 April 2031, 18:30 + 90 minutes in Berlin (CEST, UTC+2)
      end_datetime: '2031-04-09T18:00:00.000Z',
      status: 'confirmed',
      total_cents: 12000,
      notes: null,
      items: [],
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    })
    expect((await readJson(await t.app.request(`/api/programs/${program.id}`))).enrolled).toBe(1)
  })

  test('enrolling twice is a 409, and the seat is counted once', async () => {
    const program = await createProgram()
    expect((await enrol(program.id, user)).status).toBe(201)
    const again = await enrol(program.id, user)
    expect(again.status).toBe(409)
    expect(again.headers.get('content-type')).toBe('application/problem+json')
    expect((await readJson(again)).detail).toContain('already enrolled')
    expect((await readJson(await t.app.request(`/api/programs/${program.id}`))).enrolled).toBe(1)
  })

  test('a full program refuses the next person with 409', async () => {
    const program = await createProgram({ capacity: 2 })
    expect((await enrol(program.id, await someone())).status).toBe(201)
    expect((await enrol(program.id, await someone())).status).toBe(201)
    const late = await enrol(program.id, await someone())
    expect(late.status).toBe(409)
    expect((await readJson(late)).detail).toContain('full')
    expect((await readJson(await t.app.request(`/api/programs/${program.id}`))).enrolled).toBe(2)
  })

  test('once it has begun, an enrolment starts at the next session', async () => {
    const before = Date.now()
    const program = await createProgram({
      venue_id: utc.id,
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      start_time: '00:00',
      duration_minutes: 60,
      starts_on: isoDay(new Date(before - 14 * 86_400_000)),
      ends_on: isoDay(new Date(before + 30 * 86_400_000)),
    })
    const res = await enrol(program.id, user)
    const after = Date.now()
    expect(res.status).toBe(201)
    const booking = await readJson(res)
    const nextMidnight = (ms: number) => `${isoDay(new Date(ms + 86_400_000))}T00:00:00.000Z`
    expect([nextMidnight(before), nextMidnight(after)]).toContain(booking.start_datetime)
    expect(booking.end_datetime).toBe(`${isoDay(new Date(before + 30 * 86_400_000))}T01:00:00.000Z`)
  })

  test('a program whose sessions are all past is a 409', async () => {
    const program = await createProgram({ starts_on: '2020-01-01', ends_on: '2020-02-01' })
    const res = await enrol(program.id, user)
    expect(res.status).toBe(409)
    expect((await readJson(res)).detail).toContain('ended')
  })

  test('unknown programs are 404 and anonymous callers 401', async () => {
    expect((await enrol(999999999999, user)).status).toBe(404)
    const program = await createProgram()
    const anonymous = await t.app.request(`/api/programs/${program.id}/enroll`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
  })
})
