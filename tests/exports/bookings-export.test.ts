import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parse } from 'csv-parse/sync'
import { and, count, eq, gt, lt, sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/client'
import { bookings, items, venues } from '../../src/db/schema'
import { insertBulkBookings } from '../../src/seed/bulk-bookings'
import { streamRows } from '../../src/db/stream-rows'
import { readJson, testApp, uniq, usingPostgres, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { makeUser, removeUsers, type TestUser } from '../support/users'

const ROWS = 4500
let t: TestApp
let admin: TestUser
let owner: TestUser
let venueId: number
let itemId: number

beforeAll(async () => {
  t = await testApp()
  admin = await makeUser(t, 'admin')
  owner = await makeUser(t)
  const [venue] = await t.database.db
    .insert(venues)
    .values({ name: `Export hall "${uniq()}", north`, capacity: 5, hourlyPriceCents: 3000 })
    .returning({ id: venues.id })
  const [item] = await t.database.db
    .insert(items)
    .values({ name: `Export racket ${uniq()}`, kind: 'rental', priceCents: 250, stock: 1000 })
    .returning({ id: items.id })
  venueId = venue!.id
  itemId = item!.id
  await insertBulkBookings(t.database.db, {
    count: ROWS,
    userIds: [owner.id],
    venueIds: [venueId],
    rentalItemIds: [itemId],
    startAt: new Date(Date.UTC(2032, 0, 1)),
  })
})

afterAll(async () => {
  await removeUsers(t, [admin.id, owner.id])
  await t.database.db.delete(venues).where(eq(venues.id, venueId))
  await t.database.db.delete(items).where(eq(items.id, itemId))
})

const exportUrl = (query: string) => `/api/admin/bookings/export?venue_id=${venueId}&${query}`

describe('booking export', () => {
  test('NDJSON: one line per matching booking, every field plus venue name and user email', async () => {
    const res = await t.app.request(exportUrl('format=ndjson'), { headers: admin.auth })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('application/x-ndjson')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="bookings-.*\.ndjson"$/)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toHaveLength(ROWS)
    expect(new Set(lines.map((l) => l.id)).size).toBe(ROWS)
    const withItem = lines.find((l) => l.items.length > 0)
    expect(withItem.items[0]).toMatchObject({ item_id: itemId, quantity: 1, unit_price_cents: 250 })
    expect(lines[0]).toMatchObject({ venue_id: venueId, user_id: owner.id, user_email: owner.email })
    expect(Object.keys(lines[0]).sort()).toEqual(
      [
        'created_at', 'end_datetime', 'id', 'items', 'kind', 'notes', 'program_id', 'start_datetime',
        'status', 'total_cents', 'updated_at', 'user_email', 'user_id', 'venue_id', 'venue_name',
      ].sort(),
    )
    const starts = lines.map((l) => l.start_datetime)
    expect(starts).toEqual([...starts].sort())
  })

  test('CSV: RFC 4180 with a header, quotes escaped, and the same rows as the table', async () => {
    const res = await t.app.request(exportUrl('format=csv&status=cancelled'), { headers: admin.auth })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/csv')
    const text = await res.text()
    expect(text).toContain('\r\n')
    const records = parse(text, { columns: true }) as Record<string, string>[]
    const [expected] = await t.database.db
      .select({ n: count() })
      .from(bookings)
      .where(and(eq(bookings.venueId, venueId), eq(bookings.status, 'cancelled')))
    expect(records.length).toBe(expected!.n)
    expect(records.length).toBeGreaterThan(0)
    const [venue] = await t.database.db.select({ name: venues.name }).from(venues).where(eq(venues.id, venueId))
    expect(records[0]!.venue_name).toBe(venue!.name)
    expect(records.every((r) => r.status === 'cancelled')).toBe(true)
  })

  test('JSON: a valid array; from/to select bookings overlapping [from, to)', async () => {
    const from = '2032-01-02T00:00:00Z'
    const to = '2032-01-03T00:00:00Z'
    const res = await t.app.request(exportUrl(`format=json&from=${from}&to=${to}`), { headers: admin.auth })
    expect(res.status).toBe(200)
    const rows = JSON.parse(await res.text()) as { id: number }[]
    const [expected] = await t.database.db
      .select({ n: count() })
      .from(bookings)
      .where(
        and(
          eq(bookings.venueId, venueId),
          lt(bookings.startDatetime, new Date(to)),
          gt(bookings.endDatetime, new Date(from)),
        ),
      )
    expect(rows.length).toBe(expected!.n)
    expect(rows.length).toBe(16)
  })

  test('an empty result is still a valid document in every format', async () => {
    const q = 'from=2099-01-01T00:00:00Z&to=2099-01-02T00:00:00Z'
    expect(JSON.parse(await (await t.app.request(exportUrl(`format=json&${q}`), { headers: admin.auth })).text())).toEqual([])
    expect((await (await t.app.request(exportUrl(`format=ndjson&${q}`), { headers: admin.auth })).text())).toBe('')
    const csv = await (await t.app.request(exportUrl(`format=csv&${q}`), { headers: admin.auth })).text()
    expect(csv.trim().split('\r\n')).toHaveLength(1)
  })

  test('bad filters are 400; a plain user 403; anonymous 401', async () => {
    const bad = await t.app.request(exportUrl('format=xml'), { headers: admin.auth })
    expect(bad.status).toBe(400)
    expect((await readJson(bad)).errors[0].path).toBe('query.format')
    expect((await t.app.request(exportUrl('from=2030-01-01T10:00'), { headers: admin.auth })).status).toBe(400)
    expect((await t.app.request(exportUrl(''), { headers: owner.auth })).status).toBe(403)
    expect((await t.app.request(exportUrl(''))).status).toBe(401)
  })

  test('gzip when the client accepts it, through a real server', async () => {
    const server = serve(t)
    try {
      const res = await fetch(`${server.url}${exportUrl('format=csv')}`, {
        headers: { ...admin.auth, 'Accept-Encoding': 'gzip' },
        decompress: false,
      } as RequestInit)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-encoding')).toBe('gzip')
      const text = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await res.arrayBuffer())))
      expect(text.trim().split('\r\n')).toHaveLength(ROWS + 1)
    } finally {
      server.stop()
    }
  })

  test.skipIf(!usingPostgres)(
    'a client that reads a little and leaves stops the work: no query keeps running',
    async () => {
      const server = serve(t)
      try {
        const controller = new AbortController()
        const res = await fetch(`${server.url}${exportUrl('format=ndjson')}`, {
          headers: admin.auth,
          signal: controller.signal,
        })
        const reader = res.body!.getReader()
        await reader.read()
        controller.abort()
        // The batch already running may finish; after that nothing more may start.
        let active = -1
        for (let attempt = 0; attempt < 30 && active !== 0; attempt++) {
          await Bun.sleep(100)
          const [row] = await queryRows<{ n: number }>(
            t.database.db,
            sql`select count(*)::int as n from pg_stat_activity
                 where datname = current_database() and application_name = 'venue-booking-api'
                   and state = 'active' and pid <> pg_backend_pid()
                   and query ilike '%from "bookings"%'`,
          )
          active = row!.n
        }
        expect(active).toBe(0)
      } finally {
        server.stop()
      }
    },
  )
})

describe('big admin lists stream as NDJSON on request', () => {
  test('Accept: application/x-ndjson on /api/admin/bookings streams every match, not a page', async () => {
    const res = await t.app.request(`/api/admin/bookings?venue_id=${venueId}&page_size=10`, {
      headers: { ...admin.auth, Accept: 'application/x-ndjson' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('application/x-ndjson')
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toHaveLength(ROWS)
    const starts = lines.map((l) => l.start_datetime)
    expect(starts).toEqual([...starts].sort().reverse())
    expect(lines.some((l) => l.items.length > 0)).toBe(true)
  })

  test('Accept: application/x-ndjson on /api/admin/booking-items streams every match', async () => {
    const res = await t.app.request(`/api/admin/booking-items?item_id=${itemId}`, {
      headers: { ...admin.auth, Accept: 'application/x-ndjson' },
    })
    expect(res.status).toBe(200)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l))
    const [expected] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from booking_items where item_id = ${itemId}`,
    )
    expect(lines.length).toBe(expected!.n)
    expect(lines.every((l) => l.item_id === itemId)).toBe(true)
  })

  test('without that Accept header the same list is a JSON page', async () => {
    const res = await t.app.request(`/api/admin/bookings?venue_id=${venueId}&page_size=10`, {
      headers: admin.auth,
    })
    const body = await readJson(res)
    expect(body.items).toHaveLength(10)
    expect(body.pagination.total).toBe(ROWS)
  })
})

describe('streamRows back-pressure', () => {
  test('a slow reader is fed one batch at a time; a reader that cancels stops the batches', async () => {
    let batches = 0
    const stream = streamRows({
      format: 'ndjson',
      columns: ['n'],
      toRecord: (n: number) => ({ n }),
      batch: async (after) => {
        batches++
        const start = (after ?? 0) + 1
        return start > 100_000 ? [] : Array.from({ length: 100 }, (_, i) => start + i)
      },
    })
    const reader = stream.getReader()
    for (let i = 0; i < 3; i++) {
      await reader.read()
      await Bun.sleep(20)
    }
    // Three chunks taken: at most one more batch is read ahead.
    expect(batches).toBeLessThanOrEqual(4)
    await reader.cancel()
    const after = batches
    await Bun.sleep(50)
    expect(batches).toBe(after)
  })
})
