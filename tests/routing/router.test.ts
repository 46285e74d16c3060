import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { bookings } from '../../src/db/schema'
import { readJson, testApp, type TestApp } from '../support/app'
import { book, fixtures, get, hoursAhead, minutesAfter } from '../bookings/fixtures'

let t: TestApp
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await f.cleanup()
})

describe('routing', () => {
  test('hono matches every route of the app with one RegExpRouter', async () => {
    // SmartRouter picks its router at the first match: RegExpRouter unless a route cannot be held.
    const app = (await testApp()).app
    expect((await app.request('/api/health')).status).toBe(200)
    expect(app.router.name).toBe('SmartRouter + RegExpRouter')
  })

  test('GET /api/bookings/regular-programs still answers as its own endpoint', async () => {
    const me = await f.user()
    const venue = await f.venue()
    const program = await f.program(venue)
    const start = hoursAhead(40)
    const single = await book(t, me, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 60),
    })
    expect(single.status).toBe(201)
    const [enrolment] = await t.database.db
      .insert(bookings)
      .values({
        userId: me.id,
        venueId: venue,
        kind: 'program',
        programId: program,
        startDatetime: new Date('2030-01-07T18:00:00Z'),
        endDatetime: new Date('2030-06-24T19:00:00Z'),
        totalCents: 9000,
      })
      .returning({ id: bookings.id })

    const page = await get(t, me, '/api/bookings/regular-programs?page_size=5')
    expect(page.status).toBe(200)
    const body = await readJson(page)
    expect(body.items.map((b: { id: number }) => b.id)).toEqual([enrolment!.id])
    expect(body.pagination).toMatchObject({ page: 1, page_size: 5, total: 1 })

    // Its own query validation, with the field named as for any query.
    const bad = await get(t, me, '/api/bookings/regular-programs?page_size=0')
    expect(bad.status).toBe(400)
    expect((await readJson(bad)).errors).toEqual([
      expect.objectContaining({ path: 'query.page_size' }),
    ])
    expect((await t.app.request('/api/bookings/regular-programs')).status).toBe(401)
    const other = await f.user()
    const theirs = await readJson(await get(t, other, '/api/bookings/regular-programs'))
    expect(theirs.items).toEqual([])
  })

  test('the {id} routes beside it answer as before', async () => {
    const me = await f.user()
    const start = hoursAhead(41)
    const booked = await readJson(
      await book(t, me, {
        venue_id: await f.venue(),
        start_datetime: start,
        end_datetime: minutesAfter(start, 60),
      }),
    )
    expect((await get(t, me, `/api/bookings/${booked.id}`)).status).toBe(200)
    expect((await get(t, me, '/api/bookings/regular-program')).status).toBe(400)
    expect((await get(t, me, '/api/bookings/2000000000')).status).toBe(404)
    expect((await get(t, me, '/api/bookings/regular-programs/extra')).status).toBe(404)
    const wrongMethod = await t.app.request('/api/bookings/regular-programs', {
      method: 'DELETE',
      headers: me.auth,
    })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, HEAD')
  })

  test('the OpenAPI document still lists the enrolments list with its query', async () => {
    const doc = await readJson(await t.app.request('/api/openapi.json'))
    const operation = doc.paths['/api/bookings/regular-programs']?.get
    expect(operation).toBeDefined()
    expect(operation.parameters.map((p: { name: string }) => p.name)).toContain('page_size')
    expect(operation.security).toEqual([{ bearer: [] }])
  })
})
