import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { items, regularPrograms, venues } from '../../src/db/schema'
import { createApp } from '../../src/app/create-app'
import { conflict } from '../../src/http/problem'
import { dropChangedCaches } from '../../src/http/middleware/response-cache'
import { cacheChanges } from '../../src/routes/cache-changes'
import { appRoutes } from '../openapi/app-routes'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { insertUsers, type BulkUser } from '../support/bulk-users'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { form, uniquePng } from '../uploads/samples'
import { dropKeys, redisAvailable, redisSettings } from './redis'

const redisUp = await redisAvailable()
const uploadDir = mkdtempSync(join(tmpdir(), 'cache-changes-'))
const made = {
  users: [] as number[],
  venues: [] as number[],
  items: [] as number[],
  programs: [] as number[],
}
const cleanups: (() => Promise<unknown>)[] = []

let admin: TestUser
let buyer: BulkUser

/** Two instances sharing one cache store: in process both are one app, with Redis two apps. */
interface Instances {
  writer: TestApp
  reader: TestApp
}

async function instances(settings: Record<string, string> = {}): Promise<Instances> {
  const writer = await testApp({ UPLOAD_DIR: uploadDir, ...settings })
  cleanups.push(() => writer.deps.close())
  if (!settings.REDIS_URL) return { writer, reader: writer }
  const reader = await testApp({ UPLOAD_DIR: uploadDir, ...settings })
  cleanups.push(() => reader.deps.close())
  return { writer, reader }
}

beforeAll(async () => {
  const t = await testApp()
  admin = await makeUser(t, 'admin')
  buyer = (await insertUsers(t, 1))[0]!
  made.users.push(admin.id, buyer.id)
})

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
  const t = await testApp()
  const { db } = t.database
  await removeUsers(t, made.users)
  if (made.programs.length) {
    await db.delete(regularPrograms).where(inArray(regularPrograms.id, made.programs))
  }
  if (made.items.length) await db.delete(items).where(inArray(items.id, made.items))
  if (made.venues.length) await db.delete(venues).where(inArray(venues.id, made.venues))
  rmSync(uploadDir, { recursive: true, force: true })
})

type Body = Record<string, unknown>

async function created(t: TestApp, path: string, body: Body, auth = admin.auth): Promise<any> {
  const res = await t.app.request(path, jsonInit('POST', body, auth))
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
  return readJson(res)
}

const newVenue = async (t: TestApp) => {
  const body = { name: `Cache hall ${uniq()}`, capacity: 8, hourly_price_cents: 1500 }
  const venue = await created(t, '/api/admin/venues', body)
  made.venues.push(venue.id)
  return venue.id as number
}

const newItem = async (t: TestApp, stock = 20) => {
  const body = { name: `Cache cap ${uniq()}`, kind: 'merchandise', price_cents: 900, stock }
  const item = await created(t, '/api/admin/items', body)
  made.items.push(item.id)
  return item.id as number
}

const newProgram = async (t: TestApp) => {
  const year = new Date().getUTCFullYear() + 2
  const body = {
    venue_id: await newVenue(t),
    name: `Cache yoga ${uniq()}`,
    weekdays: [2, 4],
    start_time: '18:00',
    duration_minutes: 60,
    starts_on: `${year}-03-01`,
    ends_on: `${year}-04-30`,
    capacity: 5,
    price_cents: 5000,
  }
  const program = await created(t, '/api/admin/programs', body)
  made.programs.push(program.id)
  return program.id as number
}

const enrolment = async (t: TestApp, programId: number) =>
  (await created(t, `/api/programs/${programId}/enroll`, {}, buyer.auth)).id as number

const order = async (t: TestApp, itemId: number, quantity: number) => {
  const lines = { items: [{ item_id: itemId, quantity }] }
  return (await created(t, '/api/rack-orders', lines, buyer.auth)).id as number
}

async function upload(t: TestApp): Promise<number> {
  const files = [{ name: 'court.png', bytes: uniquePng() }]
  const res = await t.app.request('/api/uploads', {
    method: 'POST',
    headers: admin.auth,
    body: form(files),
  })
  return (await readJson(res)).items[0].id
}

async function galleryImage(t: TestApp) {
  const body = { upload_id: await upload(t), title: `Cache photo ${uniq()}`, is_public: true }
  return (await created(t, '/api/admin/gallery', body)).id as number
}

const send = async (t: TestApp, method: string, path: string, body?: Body, auth = admin.auth) =>
  t.app.request(path, body ? jsonInit(method, body, auth) : { method, headers: auth })

const total = (page: any) => page.pagination.total
const enrolled = (...reads: { body: any }[]) => reads.map((r) => r.body.enrolled)

/**
 * A write, what it acts on, the cached read it changes and how: `read` is fetched (and cached)
 * before the write, and again after it on the other instance.
 */
interface Scenario {
  read: string
  write: () => Promise<Response>
  changed: (before: { status: number; body: any }, after: { status: number; body: any }) => void
}

const scenarios: Record<string, (t: TestApp) => Promise<Scenario>> = {
  'POST /api/admin/venues': async (t) => ({
    read: '/api/venues?page_size=1',
    write: async () => {
      const body = { name: `Cache new hall ${uniq()}`, capacity: 4, hourly_price_cents: 900 }
      const res = await send(t, 'POST', '/api/admin/venues', body)
      made.venues.push(((await res.clone().json()) as { id: number }).id)
      return res
    },
    changed: (before, after) => expect(total(after.body)).toBe(total(before.body) + 1),
  }),
  'PATCH /api/admin/venues/{id}': async (t) => {
    const id = await newVenue(t)
    return {
      read: `/api/venues/${id}`,
      write: () => send(t, 'PATCH', `/api/admin/venues/${id}`, { capacity: 99 }),
      changed: (before, after) => {
        expect(before.body.capacity).toBe(8)
        expect(after.body.capacity).toBe(99)
      },
    }
  },
  'DELETE /api/admin/venues/{id}': async (t) => {
    const id = await newVenue(t)
    return {
      read: `/api/venues/${id}`,
      write: () => send(t, 'DELETE', `/api/admin/venues/${id}`),
      changed: (before, after) => expect([before.status, after.status]).toEqual([200, 404]),
    }
  },

  'POST /api/admin/items': async (t) => ({
    read: '/api/items?page_size=1',
    write: async () => {
      const body = { name: `New cap ${uniq()}`, kind: 'merchandise', price_cents: 5, stock: 1 }
      const res = await send(t, 'POST', '/api/admin/items', body)
      made.items.push(((await res.clone().json()) as { id: number }).id)
      return res
    },
    changed: (before, after) => expect(total(after.body)).toBe(total(before.body) + 1),
  }),
  'PATCH /api/admin/items/{id}': async (t) => {
    const id = await newItem(t)
    return {
      read: `/api/items/${id}`,
      write: () => send(t, 'PATCH', `/api/admin/items/${id}`, { price_cents: 1234 }),
      changed: (_, after) => expect(after.body.price_cents).toBe(1234),
    }
  },
  'DELETE /api/admin/items/{id}': async (t) => {
    const id = await newItem(t)
    return {
      read: `/api/items/${id}`,
      write: () => send(t, 'DELETE', `/api/admin/items/${id}`),
      changed: (before, after) => expect([before.status, after.status]).toEqual([200, 404]),
    }
  },

  'POST /api/admin/programs': async (t) => {
    const venueId = await newVenue(t)
    const year = new Date().getUTCFullYear() + 2
    return {
      read: '/api/programs?page_size=1',
      write: async () => {
        const res = await send(t, 'POST', '/api/admin/programs', {
          venue_id: venueId,
          name: `Cache new class ${uniq()}`,
          weekdays: [1],
          start_time: '09:00',
          duration_minutes: 45,
          starts_on: `${year}-01-01`,
          ends_on: `${year}-02-01`,
          capacity: 3,
          price_cents: 100,
        })
        made.programs.push(((await res.clone().json()) as { id: number }).id)
        return res
      },
      changed: (before, after) => expect(total(after.body)).toBe(total(before.body) + 1),
    }
  },
  'PATCH /api/admin/programs/{id}': async (t) => {
    const id = await newProgram(t)
    return {
      read: `/api/programs/${id}`,
      write: () => send(t, 'PATCH', `/api/admin/programs/${id}`, { capacity: 12 }),
      changed: (...reads) => expect(reads.map((r) => r.body.capacity)).toEqual([5, 12]),
    }
  },
  'DELETE /api/admin/programs/{id}': async (t) => {
    const id = await newProgram(t)
    return {
      read: `/api/programs/${id}`,
      write: () => send(t, 'DELETE', `/api/admin/programs/${id}`),
      changed: (before, after) => expect([before.status, after.status]).toEqual([200, 404]),
    }
  },
  'POST /api/programs/{id}/enroll': async (t) => {
    const id = await newProgram(t)
    return {
      read: `/api/programs/${id}`,
      write: () => send(t, 'POST', `/api/programs/${id}/enroll`, undefined, buyer.auth),
      changed: (before, after) => expect(enrolled(before, after)).toEqual([0, 1]),
    }
  },
  'POST /api/bookings/{id}/cancel': async (t) => {
    const id = await newProgram(t)
    const booking = await enrolment(t, id)
    return {
      read: `/api/programs/${id}`,
      write: () => send(t, 'POST', `/api/bookings/${booking}/cancel`, undefined, buyer.auth),
      changed: (before, after) => expect(enrolled(before, after)).toEqual([1, 0]),
    }
  },
  'PATCH /api/admin/bookings/{id}': async (t) => {
    const id = await newProgram(t)
    const booking = await enrolment(t, id)
    return {
      read: `/api/programs/${id}`,
      write: () => send(t, 'PATCH', `/api/admin/bookings/${booking}`, { status: 'cancelled' }),
      changed: (before, after) => expect(enrolled(before, after)).toEqual([1, 0]),
    }
  },

  'POST /api/rack-orders': async (t) => {
    const id = await newItem(t, 10)
    return {
      read: `/api/items/${id}`,
      write: () =>
        send(t, 'POST', '/api/rack-orders', { items: [{ item_id: id, quantity: 3 }] }, buyer.auth),
      changed: (before, after) => expect([before.body.stock, after.body.stock]).toEqual([10, 7]),
    }
  },
  'POST /api/rack-orders/{id}/cancel': async (t) => {
    const id = await newItem(t, 10)
    const placed = await order(t, id, 4)
    return {
      read: `/api/items/${id}`,
      write: () => send(t, 'POST', `/api/rack-orders/${placed}/cancel`, undefined, buyer.auth),
      changed: (before, after) => expect([before.body.stock, after.body.stock]).toEqual([6, 10]),
    }
  },
  'PATCH /api/admin/rack-orders/{id}': async (t) => {
    const id = await newItem(t, 10)
    const placed = await order(t, id, 2)
    return {
      read: `/api/items/${id}`,
      write: () => send(t, 'PATCH', `/api/admin/rack-orders/${placed}`, { status: 'cancelled' }),
      changed: (before, after) => expect([before.body.stock, after.body.stock]).toEqual([8, 10]),
    }
  },

  'POST /api/admin/gallery': async (t) => {
    const image = { upload_id: await upload(t), title: 'Centre court', is_public: true }
    return {
      read: '/api/gallery/public?page_size=1',
      write: () => send(t, 'POST', '/api/admin/gallery', image),
      changed: (before, after) => expect(total(after.body)).toBe(total(before.body) + 1),
    }
  },
  'PATCH /api/admin/gallery/{id}': async (t) => {
    const id = await galleryImage(t)
    return {
      read: '/api/gallery/public?page_size=1',
      write: () => send(t, 'PATCH', `/api/admin/gallery/${id}`, { is_public: false }),
      changed: (before, after) => expect(total(after.body)).toBe(total(before.body) - 1),
    }
  },
  'DELETE /api/admin/gallery/{id}': async (t) => {
    const id = await galleryImage(t)
    return {
      read: '/api/gallery/public?page_size=1',
      write: () => send(t, 'DELETE', `/api/admin/gallery/${id}`),
      changed: (before, after) => expect(total(after.body)).toBe(total(before.body) - 1),
    }
  },
}

describe('the list of writes that change cached reads', () => {
  test('names every write route of the app, and only those', async () => {
    const writes = appRoutes((await testApp()).app)
      .filter((route) => route.method !== 'GET')
      .map((route) => route.key)
    const listed = Object.keys(cacheChanges)
    expect({ missing: writes.filter((w) => !listed.includes(w)) }).toEqual({ missing: [] })
    expect({ stale: listed.filter((w) => !writes.includes(w)) }).toEqual({ stale: [] })
  })

  test('has a test below for every write that drops a cached read', () => {
    const dropping = Object.entries(cacheChanges)
      .filter(([, namespaces]) => namespaces.length > 0)
      .map(([write]) => write)
    expect(Object.keys(scenarios).sort()).toEqual(dropping.sort())
  })
})

const stores = [
  ['in process', async () => instances(), true],
  [
    'in Redis, written through one instance and read through another',
    async () => {
      const settings = redisSettings()
      cleanups.push(() => dropKeys(settings.REDIS_KEY_PREFIX))
      return instances(settings)
    },
    redisUp,
  ],
] as const

for (const [where, open, available] of stores) {
  describe.skipIf(!available)(`each write drops the cached reads it changes (${where})`, () => {
    let apps: Instances
    beforeAll(async () => {
      apps = await open()
    })

    for (const write of Object.keys(scenarios)) {
      test(`${write}: the next read is fresh`, async () => {
        const { writer, reader } = apps
        const scenario = await scenarios[write]!(writer)
        const read = async (t: TestApp) => {
          const res = await t.app.request(scenario.read)
          const cache = res.headers.get('x-cache')
          return { status: res.status, cache, body: await readJson(res) }
        }
        await read(writer)
        const before = await read(reader)
        // Cached before the write (answers that are not 200 are never kept).
        if (before.status === 200) expect(before.cache).toBe('hit')

        const res = await scenario.write()
        expect(res.status).toBeLessThan(300)

        const after = await read(reader)
        expect(after.cache).toBe('miss')
        scenario.changed(before, after)
      })
    }
  })
}

describe('refused writes', () => {
  test('a write answered 4xx keeps the cached reads', async () => {
    const { writer: t } = await instances()
    const id = await newItem(t, 1)
    await t.app.request(`/api/items/${id}`)
    const refused = await send(
      t,
      'POST',
      '/api/rack-orders',
      { items: [{ item_id: id, quantity: 2 }] },
      buyer.auth,
    )
    expect(refused.status).toBe(409)
    expect((await t.app.request(`/api/items/${id}`)).headers.get('x-cache')).toBe('hit')
  })
})

describe('when a write drops', () => {
  test('after a success or a handler error, not after a refusal or another route', async () => {
    const { deps } = await testApp()
    const app = createApp(deps)
    app.use(dropChangedCaches({ 'POST /things/{id}': ['venues'] }))
    app.post('/things/:id', (c) => {
      const outcome = c.req.param('id')
      if (outcome === 'refused') throw conflict('No.')
      if (outcome === 'broken') throw new Error('failed after the change was committed')
      return c.body(null, 204)
    })
    app.post('/elsewhere', (c) => c.body(null, 204))

    const cachedAfter = async (path: string) => {
      await deps.cache.set('venues:/api/venues', 'cached')
      const res = await app.request(path, { method: 'POST' })
      const kept = (await deps.cache.get('venues:/api/venues')) !== undefined
      return { status: res.status, kept }
    }
    expect(await cachedAfter('/things/refused')).toEqual({ status: 409, kept: true })
    expect(await cachedAfter('/elsewhere')).toEqual({ status: 204, kept: true })
    expect(await cachedAfter('/things/ok')).toEqual({ status: 204, kept: false })
    expect(await cachedAfter('/things/broken')).toEqual({ status: 500, kept: false })
  })
})
