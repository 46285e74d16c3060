import { describe, expect, test } from 'bun:test'
import { getTableColumns, is, Table } from 'drizzle-orm'
import * as schema from '../../src/db/schema'
import { snake } from '../../src/http/table-json'
import { readJson } from '../support/app'
import { jsonInit } from '../support/users'
import { adminAndUser, book, get, hoursAhead, minutesAfter } from '../bookings/fixtures'

const s = adminAndUser()

// A booking read is JSON made by SQL (db/wire-fields.ts: each column under its SQL name); an
// answer to a write is JSON made from the row drizzle returned (http/table-json.ts: each field
// under its key in snake_case). They are the same JSON only while these agree.
describe('one JSON per row, whichever side writes it', () => {
  test("every column's SQL name is its drizzle key in snake_case", () => {
    const tables = Object.values(schema).filter((value) => is(value, Table))
    expect(tables.length).toBeGreaterThan(10)
    const differing = tables.flatMap((table) =>
      Object.entries(getTableColumns(table)).flatMap(([key, column]) =>
        snake(key) === column.name ? [] : [`${key} -> ${column.name}`],
      ),
    )
    expect(differing).toEqual([])
  })

  test('a booking answers a POST with the JSON its reads select from SQL', async () => {
    const { t, f, user, admin } = s
    const venue = await f.venue()
    const rackets = await f.item({ priceCents: 300 })
    const start = hoursAhead(3)
    const res = await book(t, user, {
      venue_id: venue,
      start_datetime: start,
      end_datetime: minutesAfter(start, 60),
      items: [{ item_id: rackets, quantity: 2 }],
      notes: 'wire check',
    })
    expect(res.status).toBe(201)
    const created = await readJson(res)

    const byId = await readJson(await get(t, user, `/api/bookings/${created.id}`))
    const own = await readJson(await get(t, user, '/api/bookings?page_size=100'))
    const line = await readJson(
      await get(t, admin, `/api/admin/booking-items?booking_id=${created.id}`),
    )
    expect(JSON.stringify(byId)).toBe(JSON.stringify(created))
    expect(own.items.find((b: { id: number }) => b.id === created.id)).toEqual(created)
    expect(line.items).toEqual([{ ...created.items[0], booking_id: created.id }])
  })

  // Venues and items: the public reads select their JSON in SQL, the admin's are mapped in JS.
  for (const resource of ['venues', 'items'] as const) {
    test(`a ${resource.slice(0, -1)} reads the same in public as the admin's answer`, async () => {
      const { t, f, admin } = s
      const id = resource === 'venues' ? await f.venue() : await f.item({ priceCents: 250 })
      const changed = await readJson(
        await t.app.request(
          `/api/admin/${resource}/${id}`,
          jsonInit('PATCH', { description: 'wire check' }, admin.auth),
        ),
      )
      expect(changed.description).toBe('wire check')
      expect(changed.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

      const byId = await readJson(await t.app.request(`/api/${resource}/${id}`))
      const listed = async (path: string, headers?: Record<string, string>) => {
        for (let url: string | null = path; url; ) {
          const page: { items: { id: number }[]; pagination: { next_cursor: string | null } } =
            await readJson(await t.app.request(url, { headers }))
          const found = page.items.find((row) => row.id === id)
          if (found) return found
          const next = page.pagination.next_cursor
          url = next ? `${path}?cursor=${encodeURIComponent(next)}&page_size=100` : null
        }
      }
      expect(JSON.stringify(byId)).toBe(JSON.stringify(changed))
      expect(JSON.stringify(await listed(`/api/${resource}`))).toBe(JSON.stringify(changed))
      expect(await listed(`/api/admin/${resource}`, admin.auth)).toEqual(changed)
    })
  }
})
