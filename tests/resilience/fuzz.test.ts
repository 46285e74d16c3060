import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { inArray } from 'drizzle-orm'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lenientIntegerTexts } from '../../resilience/fuzz/bad-values'
import { operationsOf, type Operation } from '../../resilience/fuzz/operations'
import { groupFailures, runFuzz } from '../../resilience/fuzz/run-fuzz'
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
