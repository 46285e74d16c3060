import { afterAll, beforeAll, describe, expect, jest, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import pino from 'pino'
import { uploads } from '../../src/db/schema'
import { LEFTOVER_GRACE_MS } from '../../src/services/uploads/leftover-files'
import {
  HELD_FILE_REFRESH_MS,
  uploadStore,
  type FilePart,
} from '../../src/services/uploads/upload-store'
import { startUploadSweeps, sweepUploadDir } from '../../src/services/uploads/sweep-uploads'
import { readJson, testApp, type TestApp } from '../support/app'
import { makeUser, removeUsers, type TestUser } from '../support/users'
import { form, samples, uniquePng } from './samples'

let t: TestApp
let user: TestUser
const dirs: string[] = []

beforeAll(async () => {
  t = await testApp()
  user = await makeUser(t)
})

afterAll(async () => {
  await removeUsers(t, [user.id])
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'uploads-sweep-'))
  dirs.push(dir)
  return dir
}

/** Past the grace period, by a minute. */
const longAgo = () => new Date(Date.now() - LEFTOVER_GRACE_MS - 60_000)
const storedName = () => `${crypto.randomUUID()}.png`
const partialName = () => `.incoming-${crypto.randomUUID()}.part`

async function place(dir: string, name: string, modified?: Date) {
  await writeFile(join(dir, name), uniquePng())
  if (modified) await utimes(join(dir, name), modified, modified)
  return name
}

/** Uploads through the API into `dir` and returns the stored file names, in order. */
async function uploadInto(dir: string, count: number): Promise<string[]> {
  const app = await testApp({ UPLOAD_DIR: dir })
  const files = Array.from({ length: count }, (_, i) => ({ name: `f${i}.png`, bytes: uniquePng() }))
  const res = await app.app.request('/api/uploads', {
    method: 'POST',
    headers: user.auth,
    body: form(files),
  })
  expect(res.status).toBe(201)
  const names: string[] = []
  for (const item of (await readJson(res)).items) {
    const [row] = await t.database.db
      .select({ storedName: uploads.storedName })
      .from(uploads)
      .where(eq(uploads.id, item.id))
    names.push(row!.storedName)
  }
  return names
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  return { logger, lines }
}

describe('upload sweep', () => {
  test('the start-up sweep removes only old partial files and old files with no row', async () => {
    const dir = freshDir()
    const [kept] = await uploadInto(dir, 1)
    await utimes(join(dir, kept!), longAgo(), longAgo())
    const oldOrphan = await place(dir, storedName(), longAgo())
    const oldPartial = await place(dir, partialName(), longAgo())
    // Another instance on the same volume may be about to commit these: too recent to judge.
    const recentOrphan = await place(dir, storedName())
    const recentPartial = await place(dir, partialName())
    const notOurs = await place(dir, 'notes.txt', longAgo())

    const { logger, lines } = capturingLogger()
    const stop = startUploadSweeps({ db: t.database.db, dir, logger })
    // The start-up sweep runs beside serving; it logs when it is done.
    const logged = () => lines.some((l) => l.msg === 'upload sweep')
    for (let i = 0; i < 100 && !logged(); i++) await Bun.sleep(20)
    await stop()

    expect(readdirSync(dir).sort()).toEqual(
      [kept!, recentOrphan, recentPartial, notOurs].sort(),
    )
    expect(readdirSync(dir)).not.toContain(oldOrphan)
    expect(readdirSync(dir)).not.toContain(oldPartial)
    expect(lines.find((l) => l.msg === 'upload sweep')).toMatchObject({
      scanned: 5,
      removed_partial: 1,
      removed_orphaned: 1,
      kept_recent: 2,
    })
  })

  test('stored names are checked against the database batch by batch', async () => {
    const dir = freshDir()
    const withRows = await uploadInto(dir, 5)
    const orphans: string[] = []
    for (let i = 0; i < 7; i++) orphans.push(await place(dir, storedName()))
    for (const name of [...withRows, ...orphans]) {
      await utimes(join(dir, name), longAgo(), longAgo())
    }

    const result = await sweepUploadDir(t.database.db, dir, { batchSize: 3 })

    expect(result).toEqual({ scanned: 12, partialRemoved: 0, orphanedRemoved: 7, keptRecent: 0 })
    expect(readdirSync(dir).sort()).toEqual([...withRows].sort())
  })

  test('a received file waiting for the rest of its request stays fresh, never swept', async () => {
    const dir = freshDir()
    const store = await uploadStore(dir)
    const part = {
      filename: 'waiting.png',
      declaredMime: 'image/png',
      stream: Object.assign(Readable.from([samples.png]), { truncated: false }),
    } as unknown as FilePart
    jest.useFakeTimers()
    try {
      const received = await store.receive(part)
      // As if the rest of its request had been arriving for longer than the grace period.
      await utimes(received.tempPath, longAgo(), longAgo())
      jest.advanceTimersByTime(HELD_FILE_REFRESH_MS)
      jest.useRealTimers()
      const refreshed = async () => (await stat(received.tempPath)).mtimeMs > Date.now() - 60_000
      for (let i = 0; i < 50 && !(await refreshed()); i++) await Bun.sleep(10)
      expect(await refreshed()).toBe(true)
      const result = await sweepUploadDir(t.database.db, dir)
      expect(result).toMatchObject({ partialRemoved: 0, keptRecent: 1 })
      expect(readdirSync(dir)).toEqual([basename(received.tempPath)])
      await store.remove(received.tempPath)
    } finally {
      jest.useRealTimers()
    }
  })

  test('an upload directory that is empty or new is swept without complaint', async () => {
    const dir = join(freshDir(), 'not-yet-made')
    const { logger, lines } = capturingLogger()
    await startUploadSweeps({ db: t.database.db, dir, logger })()
    expect(lines.filter((l) => l.msg === 'upload sweep failed')).toEqual([])
    expect(readdirSync(dir)).toEqual([])
  })
})
