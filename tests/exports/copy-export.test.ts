import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, inArray, sql } from 'drizzle-orm'
import { buildApp } from '../../src/app/build-app'
import { openDatabase, queryRows, type Database } from '../../src/db/client'
import { bookingItems, bookings, items, regularPrograms, users, venues } from '../../src/db/schema'
import { insertBulkBookings } from '../../src/seed/bulk-bookings'
import { copyStream } from '../../src/db/copy-stream'
import { createDeps } from '../../src/app/deps'
import { createLogger } from '../../src/app/logger'
import type { StreamFormat } from '../../src/db/stream-rows'
import type { AdminFilter } from '../../src/services/bookings/list-bookings'
import { streamExportCopy } from '../../src/services/exports/bookings-export'
import { streamExportBatches } from '../../src/services/exports/bookings-export'
import { EXPORT_QUEUE } from '../../src/services/exports/bookings-export'
import { readJson, testApp, testEnv, uniq, usingPostgres, type TestApp } from '../support/app'
import { makeUser, removeUsers, type TestUser } from '../support/users'

const FORMATS: StreamFormat[] = ['csv', 'ndjson', 'json']
const text = (body: ReadableStream<Uint8Array>) => new Response(body).text()

/**
 * Sessions of this database running a statement that contains `like`, other than our own (and
 * not counting the parallel workers of one).
 */
async function activeQueries(database: Database, like: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from pg_stat_activity
         where datname = current_database() and state = 'active'
           and backend_type = 'client backend' and pid <> pg_backend_pid() and query ilike ${like}`,
  )
  return row!.n
}

const COPYING = '%copy (select%'

/** Whether no statement matching `like` is running any more, waiting up to `ms` for it. */
async function noneRunning(database: Database, like: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if ((await activeQueries(database, like)) === 0) return true
    if (Date.now() > until) return false
    await Bun.sleep(50)
  }
}

describe.skipIf(!usingPostgres)('export by COPY on PostgreSQL', () => {
  let t: TestApp
  let owner: TestUser
  let oddUserId: number
  let hallId: number
  let blankId: number
  let programId: number
  const itemIds: number[] = []

  // Text that trips up CSV, JSON or COPY: quotes, commas, newlines, backslashes, control
  // characters (\x01 and \x02 are the NDJSON COPY's quote and delimiter), unicode, COPY's own
  // end-of-data marker, and both an empty note and none.
  const notes = [
    null,
    '',
    'He said "hi", then\nleft\r\nagain',
    'line one\nline two',
    'carriage\rreturn',
    'back\\slash \\n is not a newline, \\u0041 is not A',
    'tab\there \u0001 and \u0002 and \u001f and \u007f',
    'unicode é 中文 🎾 \u2028 \u2029',
    "=cmd|' /C calc'!A0",
    '\\.',
    ',',
    '"',
    '  spaces around  ',
  ]

  beforeAll(async () => {
    t = await testApp()
    owner = await makeUser(t)
    const [odd] = await t.database.db
      .insert(users)
      .values({
        email: `"odd,\\"user\\"\n${uniq()}"@example.com`,
        passwordHash: 'not-a-hash',
        name: 'Odd',
      })
      .returning({ id: users.id })
    oddUserId = odd!.id
    const [hall, blank] = await t.database.db
      .insert(venues)
      .values([
        { name: `Hall "Nord", 1st\nfloor \\ ünï 🎾 ${uniq()}`, capacity: 9, hourlyPriceCents: 4000 },
        { name: '', capacity: 2, hourlyPriceCents: 100 },
      ])
      .returning({ id: venues.id })
    hallId = hall!.id
    blankId = blank!.id
    const [program] = await t.database.db
      .insert(regularPrograms)
      .values({
        venueId: hallId,
        name: 'Evening, "pro"',
        weekdays: [1, 3],
        startTime: '18:00',
        durationMinutes: 60,
        startsOn: '2031-05-01',
        endsOn: '2031-06-30',
        capacity: 10,
        priceCents: 900,
      })
      .returning({ id: regularPrograms.id })
    programId = program!.id
    const made = await t.database.db
      .insert(items)
      .values([
        { name: `Copy racket ${uniq()}`, kind: 'rental', priceCents: 250, stock: 50 },
        { name: `Copy ball ${uniq()}`, kind: 'rental', priceCents: 75, stock: 50 },
      ])
      .returning({ id: items.id })
    itemIds.push(...made.map((i) => i.id))
    const statuses = ['confirmed', 'cancelled', 'pending', 'completed'] as const
    const rows = notes.map((note, n) => ({
      userId: n % 3 === 0 ? oddUserId : owner.id,
      venueId: n % 4 === 3 ? blankId : hallId,
      kind: 'single' as const,
      startDatetime: new Date(`2031-05-01T${String(8 + n).padStart(2, '0')}:00:00.123Z`),
      endDatetime: new Date(`2031-05-01T${String(8 + n).padStart(2, '0')}:45:30.5Z`),
      status: statuses[n % 4]!,
      totalCents: 1000 + n,
      notes: note,
      // Microseconds, in another zone: stored rounded to the millisecond, exported in UTC.
      createdAt: sql`'2031-04-01 12:00:00.998999+02'::timestamptz`,
      updatedAt: sql`'2031-04-02 00:00:00.000001-05'::timestamptz`,
    }))
    const made2 = await t.database.db
      .insert(bookings)
      .values([
        ...rows,
        {
          userId: owner.id,
          venueId: hallId,
          kind: 'program',
          programId,
          startDatetime: new Date('2031-05-05T18:00:00Z'),
          endDatetime: new Date('2031-05-05T19:00:00Z'),
          status: 'confirmed',
          totalCents: 900,
          notes: 'enrolment',
        },
      ])
      .returning({ id: bookings.id })
    // The first booking's items go in with the higher item_id first: both paths list by id.
    await t.database.db.insert(bookingItems).values([
      { bookingId: made2[0]!.id, itemId: itemIds[1]!, quantity: 3, unitPriceCents: 75 },
      { bookingId: made2[0]!.id, itemId: itemIds[0]!, quantity: 1, unitPriceCents: 250 },
      { bookingId: made2[2]!.id, itemId: itemIds[0]!, quantity: 2, unitPriceCents: 250 },
    ])
  })

  afterAll(async () => {
    await removeUsers(t, [owner.id, oddUserId])
    await t.database.db.delete(regularPrograms).where(eq(regularPrograms.id, programId))
    await t.database.db.delete(venues).where(inArray(venues.id, [hallId, blankId]))
    await t.database.db.delete(items).where(inArray(items.id, itemIds))
  })

  test('COPY writes the same bytes as the batch path, for every format and filter', async () => {
    const filters: AdminFilter[] = [
      { venueId: hallId },
      { venueId: blankId },
      { userId: oddUserId },
      { venueId: hallId, status: 'confirmed' },
      {
        venueId: hallId,
        from: new Date('2031-05-01T10:30:00Z'),
        to: new Date('2031-05-01T14:00:00Z'),
      },
      { venueId: hallId, from: new Date('2099-01-01T00:00:00Z') },
    ]
    for (const filter of filters) {
      for (const format of FORMATS) {
        const byCopy = await text(await streamExportCopy(t.database.sql!, filter, format))
        const byBatches = await text(streamExportBatches(t.database.db, filter, format))
        expect({ filter, format, body: byCopy }).toEqual({ filter, format, body: byBatches })
      }
    }
    // The comparison covers the tricky rows: every note comes back, parsed, as it went in.
    const copied = async (filter: AdminFilter, format: StreamFormat) =>
      text(await streamExportCopy(t.database.sql!, filter, format))
    const lines = (await copied({ userId: oddUserId }, 'ndjson'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    const hall = JSON.parse(await copied({ venueId: hallId }, 'json')) as {
      notes: string | null
      items: unknown[]
      program_id: number
    }[]
    const blank = JSON.parse(await copied({ venueId: blankId }, 'json'))
    expect([...hall, ...blank].map((b) => b.notes).sort()).toEqual(
      [...notes, 'enrolment'].sort(),
    )
    expect(hall.find((b) => b.program_id === programId)).toBeDefined()
    expect(hall[0]!.items).toEqual([
      { id: expect.any(Number), item_id: itemIds[1], quantity: 3, unit_price_cents: 75 },
      { id: expect.any(Number), item_id: itemIds[0], quantity: 1, unit_price_cents: 250 },
    ])
    expect(lines.length).toBeGreaterThan(0)
    expect(lines[0].start_datetime).toBe('2031-05-01T08:00:00.123Z')
    expect(lines[0].created_at).toBe('2031-04-01T10:00:00.999Z')
    // 00:00:00.000001-05 rounds down
    expect(lines[0].updated_at).toBe('2031-04-02T05:00:00.000Z')
  })

  test('the route answers with the same bytes as the batch path', async () => {
    const admin = await makeUser(t, 'admin')
    try {
      for (const format of FORMATS) {
        const res = await t.app.request(
          `/api/admin/bookings/export?venue_id=${hallId}&format=${format}`,
          { headers: admin.auth },
        )
        expect(res.status).toBe(200)
        expect(await res.text()).toBe(
          await text(streamExportBatches(t.database.db, { venueId: hallId }, format)),
        )
      }
    } finally {
      await removeUsers(t, [admin.id])
    }
  })
})

describe.skipIf(!usingPostgres)('a big export on PostgreSQL', () => {
  const ROWS = 200_000
  let t: TestApp
  let admin: TestUser
  let owner: TestUser
  let venueIds: number[] = []
  /** The app on a pool of two connections, with a short statement timeout. */
  let small: { database: Database; url: string; stop(): Promise<void> }

  beforeAll(async () => {
    t = await testApp()
    admin = await makeUser(t, 'admin')
    owner = await makeUser(t)
    const made = await t.database.db
      .insert(venues)
      .values(
        Array.from({ length: 4 }, (_, n) => ({
          name: `Big export hall ${n} ${uniq()}`,
          capacity: 4,
          hourlyPriceCents: 2000,
        })),
      )
      .returning({ id: venues.id })
    venueIds = made.map((v) => v.id)
    await insertBulkBookings(t.database.db, {
      count: ROWS,
      userIds: [owner.id],
      venueIds,
      startAt: new Date(Date.UTC(2040, 0, 1)),
    })
    const env = testEnv({ DB_POOL_SIZE: '2', DB_MAX_OVERFLOW: '0', DB_STATEMENT_TIMEOUT_MS: '500' })
    const database = openDatabase(env)
    const deps = createDeps(env, database, { logger: createLogger('silent') })
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: buildApp(deps).fetch })
    small = {
      database,
      url: `http://127.0.0.1:${server.port}`,
      async stop() {
        server.stop(true)
        await deps.close()
        await database.close()
      },
    }
    // 200,000 rows, each with the occupancy its trigger writes: about a minute on a quiet machine.
  }, 300_000)

  afterAll(async () => {
    await small?.stop()
    await removeUsers(t, [admin.id, owner.id])
    await t.database.db.delete(venues).where(inArray(venues.id, venueIds))
  }, 120_000)

  const exportUrl = (format: StreamFormat) =>
    `${small.url}/api/admin/bookings/export?user_id=${owner.id}&format=${format}`

  /** An export that has its turn and keeps it: read a few KB, then stop reading. */
  async function holdExport() {
    const controller = new AbortController()
    const res = await fetch(exportUrl('ndjson'), { headers: admin.auth, signal: controller.signal })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let read = 0
    while (read < 4096) read += (await reader.read()).value?.byteLength ?? 0
    // The reader stays referenced until the client leaves: a response the test no longer holds
    // can be collected, and its connection closed, which the server takes for a client leaving.
    return () => {
      controller.abort()
      reader.releaseLock()
    }
  }
  test('a client that reads a few KB and leaves: COPY stopped, connection freed', async () => {
    const leave = await holdExport()
    expect(await activeQueries(small.database, COPYING)).toBe(1)
    leave()
    expect(await noneRunning(small.database, COPYING, 3000)).toBe(true)
    // Both connections of the pool of two are free again: a transaction holds one while a
    // query outside it needs the other.
    const both = small.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`)
      await small.database.db.execute(sql`select 1`)
      return 'both free'
    })
    const held = Bun.sleep(5000).then(() => 'a connection is still held')
    expect(await Promise.race([both, held])).toBe('both free')
    // And the next export streams by COPY again, completely.
    const again = await fetch(exportUrl('csv'), { headers: admin.auth })
    expect((await again.text()).split('\r\n').length).toBe(ROWS + 2)
  }, 60_000)

  /** An export of no rows (the admin has no bookings): quick once it has its turn. */
  const smallExport = (signal?: AbortSignal) =>
    fetch(`${small.url}/api/admin/bookings/export?user_id=${admin.id}&format=csv`, {
      headers: admin.auth,
      signal,
    })
  /** A full queue of small exports, waiting behind one that holds the slot. */
  async function fillQueue() {
    const queued = Array.from({ length: EXPORT_QUEUE }, () => smallExport())
    await Bun.sleep(300)
    return queued
  }
  /** Once the held export lets go, every queued one is answered in full. */
  async function expectAllServed(leave: () => void, queued: Promise<Response>[]) {
    leave()
    const answers = await Promise.all(queued)
    expect(answers.map((r) => r.status)).toEqual(queued.map(() => 200))
    await Promise.all(answers.map((r) => r.arrayBuffer()))
  }
  const settledWithin = (p: Promise<unknown>, ms: number) =>
    Promise.race([p.then(() => true), Bun.sleep(ms).then(() => false)])

  test('an export past the slots waits its turn, then streams by COPY', async () => {
    // A pool of two gives one export slot.
    const leave = await holdExport()
    const waiting = smallExport()
    expect(await settledWithin(waiting, 500)).toBe(false)
    expect(await activeQueries(small.database, COPYING)).toBe(1)
    leave()
    const res = await waiting
    expect(res.status).toBe(200)
    expect((await res.text()).split('\r\n')[0]).toStartWith('id,user_id,user_email')
  }, 60_000)

  test('past a full queue the next export gets 503; the queued ones all finish', async () => {
    const leave = await holdExport()
    const queued = await fillQueue()
    const refused = await smallExport()
    expect(refused.status).toBe(503)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await readJson(refused)).toMatchObject({ status: 503, reason: 'in_flight' })
    await expectAllServed(leave, queued)
  }, 60_000)

  test('an export whose client leaves while it waits gives up its place in the queue', async () => {
    const leave = await holdExport()
    const gone = new AbortController()
    const left = smallExport(gone.signal).catch((error: Error) => error.name)
    await Bun.sleep(200)
    gone.abort()
    expect(await left).toBe('AbortError')
    // The queue has all its room again: a full queue is served, none refused.
    await expectAllServed(leave, await fillQueue())
  }, 60_000)

  test('a slow reader holds PostgreSQL back, not memory, and then gets every row', async () => {
    const res = await fetch(exportUrl('ndjson'), {
      headers: { ...admin.auth, 'Accept-Encoding': 'identity' },
    })
    const reader = res.body!.getReader()
    let bytes = 0
    let lines = 0
    const take = (chunk: Uint8Array) => {
      bytes += chunk.byteLength
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++
    }
    while (bytes < 16_384) take((await reader.read()).value!)
    const rssBefore = process.memoryUsage().rss
    // Stalled well past the statement timeout of 500 ms: the COPY waits on its socket.
    await Bun.sleep(2000)
    const [copy] = await queryRows<{ wait_event: string | null }>(
      small.database.db,
      sql`select wait_event from pg_stat_activity
           where datname = current_database() and state = 'active'
             and backend_type = 'client backend' and query ilike ${COPYING}`,
    )
    expect(copy?.wait_event).toBe('ClientWrite')
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(30 * 1024 * 1024)
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      take(value)
    }
    expect(lines).toBe(ROWS)
  }, 60_000)
})

describe.skipIf(!usingPostgres)('copyStream', () => {
  test('cancelling the body stops a COPY that would otherwise run for minutes', async () => {
    const t = await testApp()
    const pool = t.database.sql!
    const tag = `copy_cancel_${uniq()}`
    const body = await copyStream(
      pool,
      // In the select list, not in FROM: a FROM function is read whole before the first row.
      `copy (select generate_series(1, 500000000), '${tag}') to stdout`,
    )
    const reader = body.getReader()
    await reader.read()
    await reader.cancel()
    expect(await noneRunning(t.database, `%${tag}%`, 3000)).toBe(true)
  })
})
