import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { getTableColumns, inArray, sql, type Table } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  galleryImages,
  itemKind,
  items,
  regularPrograms,
  venues,
} from '../../src/db/schema'
import { queryRows } from '../../src/db/client'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { form, uniquePng } from '../uploads/samples'

let dir: string
let t: TestApp
let admin: TestUser
const made = { venues: [] as number[], items: [] as number[], programs: [] as number[] }

/** Each back-office resource, with a valid new row and a valid change. */
interface Resource {
  path: string
  /** What its 404 names. */
  name: string
  table: Table
  /** Fields an answer carries beyond the table's columns. */
  computed: string[]
  body: () => Promise<Record<string, unknown>>
  change: Record<string, unknown>
  /** Its public read of one row, when it has one. */
  publicGet?: string
}

const sqlNames = (table: Table) => Object.values(getTableColumns(table)).map((c) => c.name)

let venueId: number

async function uploadImage(): Promise<number> {
  const res = await t.app.request('/api/uploads', {
    method: 'POST',
    headers: admin.auth,
    body: form([{ name: 'r.png', bytes: uniquePng() }]),
  })
  expect(res.status).toBe(201)
  return (await readJson(res)).items[0].id
}

const resources: Resource[] = [
  {
    path: '/api/admin/venues',
    name: 'venue',
    table: venues,
    computed: [],
    body: async () => ({ name: `Hall ${uniq()}`, capacity: 12, hourly_price_cents: 2500 }),
    change: { capacity: 13 },
    publicGet: '/api/venues',
  },
  {
    path: '/api/admin/items',
    name: 'item',
    table: items,
    computed: [],
    body: async () => ({ name: `Ball ${uniq()}`, kind: 'rental', price_cents: 300, stock: 2 }),
    change: { stock: 3 },
    publicGet: '/api/items',
  },
  {
    path: '/api/admin/programs',
    name: 'program',
    table: regularPrograms,
    computed: ['enrolled'],
    body: async () => {
      // Sessions occupy their venue: each program gets one of its own.
      const venue = await create('/api/admin/venues', {
        name: `Studio ${uniq()}`,
        capacity: 10,
        hourly_price_cents: 0,
      })
      made.venues.push(venue.id)
      return {
        venue_id: venue.id,
        name: `Pilates ${uniq()}`,
        weekdays: [2],
        start_time: '07:00',
        duration_minutes: 45,
        starts_on: '2032-01-01',
        ends_on: '2032-02-01',
        capacity: 8,
        price_cents: 5000,
      }
    },
    change: { capacity: 9 },
    publicGet: '/api/programs',
  },
  {
    path: '/api/admin/gallery',
    name: 'gallery image',
    table: galleryImages,
    computed: ['mime', 'url'],
    body: async () => ({ upload_id: await uploadImage(), title: 'Court', is_public: true }),
    change: { caption: 'Relined' },
  },
]

async function create(path: string, body: Record<string, unknown>) {
  const res = await t.app.request(path, jsonInit('POST', body, admin.auth))
  expect(res.status).toBe(201)
  return readJson(res)
}

async function createIn(resource: Resource) {
  const row = await create(resource.path, await resource.body())
  const kind = resource.path.split('/').pop()
  if (kind === 'venues' || kind === 'items' || kind === 'programs') made[kind].push(row.id)
  return row
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'back-office-test-'))
  t = await testApp({ UPLOAD_DIR: dir })
  admin = await makeUser(t, 'admin')
  venueId = (await createIn(resources[0]!)).id
})

afterAll(async () => {
  const { db } = t.database
  if (made.programs.length) {
    await db.delete(regularPrograms).where(inArray(regularPrograms.id, made.programs))
  }
  if (made.items.length) await db.delete(items).where(inArray(items.id, made.items))
  if (made.venues.length) await db.delete(venues).where(inArray(venues.id, made.venues))
  // Removing the admin removes its uploads, and with them their gallery entries.
  await removeUsers(t, [admin.id])
  rmSync(dir, { recursive: true, force: true })
})

describe.each(resources.map((r) => [r.path, r] as const))('%s', (_, resource) => {
  test('answers with each column of its table in snake_case, plus computed fields', async () => {
    const row = await createIn(resource)
    const expected = [...sqlNames(resource.table), ...resource.computed].sort()
    expect(Object.keys(row).sort()).toEqual(expected)
    const patch = await t.app.request(
      `${resource.path}/${row.id}`,
      jsonInit('PATCH', resource.change, admin.auth),
    )
    expect(patch.status).toBe(200)
    expect(Object.keys(await readJson(patch)).sort()).toEqual(expected)
    const list = await readJson(
      await t.app.request(`${resource.path}?page_size=1`, { headers: admin.auth }),
    )
    expect(Object.keys(list.items[0]).sort()).toEqual(expected)
  })

  test('a change or removal of a missing row is a 404 problem naming the resource', async () => {
    const missing = `${resource.path}/999999999999`
    for (const init of [
      jsonInit('PATCH', resource.change, admin.auth),
      { method: 'DELETE', headers: admin.auth },
    ]) {
      const res = await t.app.request(missing, init)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect((await readJson(res)).detail).toBe(`${resource.name} not found`)
    }
  })

  test('an empty change or an unknown field is a 400 and changes nothing', async () => {
    const row = await createIn(resource)
    const path = `${resource.path}/${row.id}`
    const empty = await t.app.request(path, jsonInit('PATCH', {}, admin.auth))
    expect(empty.status).toBe(400)
    const unknown = await t.app.request(
      path,
      jsonInit('PATCH', { ...resource.change, colour: 'red' }, admin.auth),
    )
    expect(unknown.status).toBe(400)
    const created = await t.app.request(
      resource.path,
      jsonInit('POST', { ...(await resource.body()), id: 5 }, admin.auth),
    )
    expect(created.status).toBe(400)
    const [stored] = await queryRows<{ updated_at: Date | string }>(
      t.database.db,
      sql`select updated_at from ${resource.table} where id = ${row.id}`,
    )
    expect(new Date(stored!.updated_at).toISOString()).toBe(row.updated_at)
  })
})

describe.each(resources.filter((r) => r.publicGet).map((r) => [r.publicGet, r] as const))(
  '%s',
  (publicPath, resource) => {
    test('a removed row is a 404 on the public read, and the admin can bring it back', async () => {
      const row = await createIn(resource)
      expect((await t.app.request(`${publicPath}/${row.id}`)).status).toBe(200)
      const del = await t.app.request(`${resource.path}/${row.id}`, {
        method: 'DELETE',
        headers: admin.auth,
      })
      expect(del.status).toBe(204)
      const gone = await t.app.request(`${publicPath}/${row.id}`)
      expect(gone.status).toBe(404)
      expect((await readJson(gone)).detail).toBe(`${resource.name} not found`)
      const back = await t.app.request(
        `${resource.path}/${row.id}`,
        jsonInit('PATCH', { is_active: true }, admin.auth),
      )
      expect(await readJson(back)).toMatchObject({ id: row.id, is_active: true })
    })
  },
)

describe('the OpenAPI document', () => {
  test('describes each answer with the fields it carries, and enums from the table', async () => {
    const doc = await readJson(await t.app.request('/api/openapi.json'))
    const schemas = doc.components.schemas
    const fields = (name: string) => Object.keys(schemas[name].properties).sort()
    expect(fields('Venue')).toEqual(sqlNames(venues).sort())
    expect(fields('Item')).toEqual(sqlNames(items).sort())
    expect(fields('Program')).toEqual([...sqlNames(regularPrograms), 'enrolled'].sort())
    expect(fields('GalleryImage')).toEqual([...sqlNames(galleryImages), 'mime', 'url'].sort())
    expect(schemas.Item.properties.kind.enum).toEqual(itemKind.enumValues)
    expect(schemas.ItemCreate.properties.kind.enum).toEqual(itemKind.enumValues)
    const itemQuery = doc.paths['/api/items'].get.parameters
    expect(itemQuery.find((p: { name: string }) => p.name === 'kind').schema.enum).toEqual(
      itemKind.enumValues,
    )
  })
})

describe('prepared public reads (venues and items), with the response cache off', () => {
  let uncached: TestApp

  beforeAll(async () => {
    uncached = await testApp({ CACHE_TTL_SECONDS: '0', UPLOAD_DIR: dir })
  })

  test('one statement serves every filter value, page and cursor', async () => {
    const rental = await createIn(resources[1]!)
    const merchandise = await create('/api/admin/items', {
      name: `Shirt ${uniq()}`,
      kind: 'merchandise',
      price_cents: 900,
      stock: 1,
    })
    made.items.push(merchandise.id)
    for (const kind of itemKind.enumValues) {
      const seen: { id: number; kind: string }[] = []
      let url: string | null = `/api/items?kind=${kind}&page_size=3`
      while (url) {
        const res = await uncached.app.request(url)
        expect(res.status).toBe(200)
        const body = await readJson(res)
        seen.push(...body.items)
        url = body.pagination.next_cursor
          ? `/api/items?kind=${kind}&page_size=3&cursor=${body.pagination.next_cursor}`
          : null
      }
      expect(seen.every((i) => i.kind === kind)).toBe(true)
      expect(seen.map((i) => i.id)).toContain(kind === 'rental' ? rental.id : merchandise.id)
    }
  })

  test('the by-id read follows each change at once', async () => {
    const path = `/api/venues/${venueId}`
    expect((await uncached.app.request(path)).status).toBe(200)
    const hide = jsonInit('PATCH', { is_active: false }, admin.auth)
    expect((await uncached.app.request(`/api/admin/venues/${venueId}`, hide)).status).toBe(200)
    expect((await uncached.app.request(path)).status).toBe(404)
    const show = jsonInit('PATCH', { is_active: true, capacity: 44 }, admin.auth)
    expect((await uncached.app.request(`/api/admin/venues/${venueId}`, show)).status).toBe(200)
    expect(await readJson(await uncached.app.request(path))).toMatchObject({ capacity: 44 })
  })
})
