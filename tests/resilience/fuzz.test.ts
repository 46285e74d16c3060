import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import fc from 'fast-check'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lenientIntegerTexts } from '../../resilience/fuzz/bad-values'
import { operationsOf, type Operation } from '../../resilience/fuzz/operations'
import { groupFailures, judge, runFuzz } from '../../resilience/fuzz/run-fuzz'
import { buildFuzzWorld, type FuzzWorld, type Send } from '../../resilience/fuzz/world'
import { items, regularPrograms, venues } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { makeUser, removeUsers } from '../support/users'
import { scopedSnapshot } from './scoped-snapshot'

const RUNS = Number(process.env.FUZZ_RUNS ?? 500)
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000)
const MB = 1024 * 1024

let t: TestApp
let world: FuzzWorld
let operations: Operation[]
let send: Send
const uploadDir = mkdtempSync(join(tmpdir(), 'fuzz-uploads-'))

beforeAll(async () => {
  // Small limits keep oversized bodies cheap to send; with a metrics token, the operator routes
  // have a credential to get wrong too.
  t = await testApp({
    MAX_BODY_SIZE_MB: '1',
    UPLOAD_MAX_FILE_MB: '1',
    UPLOAD_DIR: uploadDir,
    METRICS_TOKEN: 'fuzz-metrics-token',
  })
  send = async (path, init) => t.app.request(path, init)
  const [user, other, admin] = await Promise.all([makeUser(t), makeUser(t), makeUser(t, 'admin')])
  world = await buildFuzzWorld(
    send,
    { user: user!, other: other!, admin: admin! },
    t.deps.jwtSecret,
    `fuzz${uniq()}`,
  )
  operations = operationsOf(await readJson(await t.app.request('/api/openapi.json')))
}, 30_000)

afterAll(async () => {
  if (!world) return
  await removeUsers(t, [world.user.id, world.other.id, world.admin.id])
  const { db } = t.database
  await db.delete(regularPrograms).where(inArray(regularPrograms.id, [world.ids.program]))
  await db.delete(items).where(inArray(items.id, [world.ids.rental, world.ids.merch]))
  await db.delete(venues).where(inArray(venues.id, [world.ids.venue]))
  rmSync(uploadDir, { recursive: true, force: true })
})

describe('malformed requests (property-based, fast-check)', () => {
  test(`${RUNS} generated malformed requests across every route: each a 4xx problem+json, no data changed`, async () => {
    const before = await scopedSnapshot(t, world)
    const files = readdirSync(uploadDir).sort()
    const outcome = await runFuzz({
      send,
      operations,
      world,
      limits: { maxBodyBytes: MB, maxFileBytes: MB, maxFiles: t.deps.env.UPLOAD_MAX_FILES },
      runs: RUNS,
      seed: SEED,
      concurrency: 4,
    })
    expect(Object.keys(outcome.byOperation).sort()).toEqual(operations.map((o) => o.key).sort())
    expect(outcome.runs).toBe(RUNS)
    const failures = groupFailures(outcome.failures)
    if (failures.length) console.error(`fuzz seed ${SEED}:`, JSON.stringify(failures, null, 2))
    expect(failures).toEqual([])
    expect(await scopedSnapshot(t, world)).toEqual(before)
    expect(readdirSync(uploadDir).sort()).toEqual(files)
  }, 60_000)

  // Coercion used to read hex, exponents, signs and spaces as ids and page numbers.
  test('a path id or page number written other than in plain digits is a 400', async () => {
    for (const [label, text] of lenientIntegerTexts(world.ids.venue)) {
      const res = await t.app.request(`/api/venues/${text}`)
      expect({ label, status: res.status }).toEqual({ label, status: 400 })
    }
    expect((await t.app.request('/api/venues?page=0x1')).status).toBe(400)
  })
})

/** A sort value or id as a forged cursor may carry it: any JSON, and the edges of each type. */
const cursorValue = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.double(),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom(-1e300, 1e300, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 0, -1, 1.5, Number.MAX_VALUE),
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) =>
    d.toISOString(),
  ),
  fc.constantFrom(
    'infinity',
    '-infinity',
    'epoch',
    'today',
    '0000-01-01T00:00:00.000Z',
    '2031-02-30T10:00:00.000Z',
    '2031-01-01T10:00:00Z',
    '2031-01-01T10:00:00.000+02:00',
    'a\u0000b',
    'x'.repeat(600),
  ),
)

/** A cursor's text: a forged [page, sort, id] triple, any JSON, or no base64url at all. */
const forgedCursor = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, cursorValue),
        cursorValue,
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 1e6 }) }, cursorValue),
      )
      .map((triple) => Buffer.from(JSON.stringify(triple)).toString('base64url')),
  },
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
)

describe('forged cursors (property-based, fast-check)', () => {
  test(`${RUNS} forged cursors on every list: a page or a 400 problem, never a 5xx`, async () => {
    const lists = operations.filter((o) => o.params.some((p) => p.name === 'cursor'))
    expect(lists.length).toBeGreaterThan(10)
    const failures: string[] = []
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...lists), forgedCursor, async (op, cursor) => {
        const token = op.admin ? world.admin.token : world.user.token
        const res = await t.app.request(`${op.path}?page_size=2&cursor=${cursor}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
        if (res.status === 200) return void (await res.arrayBuffer())
        const problem = await judge(res)
        if (res.status !== 400 || problem) {
          failures.push(`${op.key} cursor=${cursor}: ${res.status} ${problem ?? ''}`)
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(failures).toEqual([])
  }, 60_000)

  test('the cursor of the reported 500 (a sort instant of -1e300) is a 400', async () => {
    for (const cursor of ['WzEsLTFlKzMwMCwxXQ', 'WzEsMWUrMzAwLDFd']) {
      const res = await t.app.request(`/api/admin/bookings?cursor=${cursor}`, {
        headers: { Authorization: `Bearer ${world.admin.token}` },
      })
      expect(res.status).toBe(400)
      expect(await readJson(res)).toMatchObject({ errors: [{ path: 'query.cursor' }] })
    }
  })
})
