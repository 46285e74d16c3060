import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploads } from '../../src/db/schema'
import { readJson, testApp, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { bigJpeg, form, samples, sha256, uniquePng, type Bytes, type FileSpec } from './samples'

let dir: string
let t: TestApp
let owner: TestUser
let other: TestUser
let admin: TestUser
const made: number[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uploads-test-'))
  t = await testApp({ UPLOAD_DIR: dir })
  owner = await makeUser(t)
  other = await makeUser(t)
  admin = await makeUser(t, 'admin')
  made.push(owner.id, other.id, admin.id)
})

afterAll(async () => {
  await removeUsers(t, made)
  rmSync(dir, { recursive: true, force: true })
})

const post = (app: TestApp, user: TestUser | undefined, body: RequestInit['body'], headers = {}) =>
  app.app.request('/api/uploads', {
    method: 'POST',
    headers: { ...user?.auth, ...headers },
    body,
  })

async function upload(user: TestUser, files: FileSpec[]) {
  const res = await post(t, user, form(files))
  expect(res.status).toBe(201)
  return (await readJson(res)).items as any[]
}

const filesIn = (path: string) => readdirSync(path).sort()

async function storedPath(id: number) {
  const [row] = await t.database.db
    .select({ storedName: uploads.storedName })
    .from(uploads)
    .where(eq(uploads.id, id))
  return join(dir, row!.storedName)
}

async function freshUser() {
  const user = await makeUser(t)
  made.push(user.id)
  return user
}

async function uploadCount(user: TestUser) {
  const res = await t.app.request('/api/uploads', { headers: user.auth })
  return (await readJson(res)).pagination.total as number
}

describe('POST /api/uploads', () => {
  test('one file answers 201 with its fields, a correct sha256, and the same bytes on disk', async () => {
    const bytes = uniquePng()
    const [item] = await upload(owner, [{ name: 'photo.png', bytes, type: 'image/png' }])
    expect(item).toMatchObject({
      original_name: 'photo.png',
      mime: 'image/png',
      size_bytes: bytes.length,
      sha256: sha256(bytes),
      url: `/api/uploads/${item.id}`,
    })
    expect(item.created_at).toMatch(/Z$/)
    const path = await storedPath(item.id)
    expect(path).toMatch(/\/[0-9a-f-]{36}\.png$/)
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes)
    expect(filesIn(dir).some((name) => name.startsWith('.incoming-'))).toBe(false)
  })

  test('several files of every allowed type are stored in the order sent, typed by content', async () => {
    const user = await freshUser()
    const items = await upload(user, [
      { name: 'a.png', bytes: samples.png },
      { name: 'b.jpg', bytes: samples.jpeg, type: 'image/jpeg' },
      { name: 'c.gif', bytes: samples.gif },
      { name: 'd.webp', bytes: samples.webp },
      { name: 'e.pdf', bytes: samples.pdf, type: 'application/pdf' },
      { name: 'no-extension', bytes: uniquePng() },
    ])
    expect(items.map((i) => i.mime)).toEqual([
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/webp',
      'application/pdf',
      'image/png',
    ])
    expect(items.map((i) => i.original_name)).toEqual([
      'a.png',
      'b.jpg',
      'c.gif',
      'd.webp',
      'e.pdf',
      'no-extension',
    ])
    const sent = [samples.png, samples.jpeg, samples.gif, samples.webp, samples.pdf]
    for (const [i, bytes] of sent.entries()) {
      expect(items[i].sha256).toBe(sha256(bytes))
      expect(new Uint8Array(readFileSync(await storedPath(items[i].id)))).toEqual(bytes)
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(6)
  })

  test('the same content uploaded twice by one user is stored once', async () => {
    const user = await freshUser()
    const bytes = uniquePng()
    const before = filesIn(dir).length
    const [first] = await upload(user, [{ name: 'one.png', bytes }])
    const [second, third] = await upload(user, [
      { name: 'again.png', bytes },
      { name: 'and-again.png', bytes },
    ])
    expect(second.id).toBe(first.id)
    expect(third.id).toBe(first.id)
    expect(second.original_name).toBe('one.png')
    expect(filesIn(dir).length).toBe(before + 1)
    expect(await uploadCount(user)).toBe(1)
    // Another user's copy is theirs alone.
    const [theirs] = await upload(owner, [{ name: 'x.png', bytes }])
    expect(theirs.id).not.toBe(first.id)
  })

  test('the same content sent by one user in two requests at once is still stored once', async () => {
    const user = await freshUser()
    const before = filesIn(dir).length
    const a = uniquePng()
    const b = uniquePng()
    const [first, second] = await Promise.all([
      upload(user, [{ name: 'a.png', bytes: a }, { name: 'b.png', bytes: b }]),
      upload(user, [{ name: 'b.png', bytes: b }, { name: 'a.png', bytes: a }]),
    ])
    expect(second.map((i) => i.id)).toEqual([first[1].id, first[0].id])
    expect(filesIn(dir).length).toBe(before + 2)
    expect(await uploadCount(user)).toBe(2)
  })

  test('more than UPLOAD_MAX_FILES files is 413 and nothing of the request is kept', async () => {
    const user = await freshUser()
    const before = filesIn(dir)
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.png`, bytes: uniquePng() }))
    const res = await post(t, user, form(files))
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect((await readJson(res)).detail).toContain('10 files')
    expect(filesIn(dir)).toEqual(before)
    expect(await uploadCount(user)).toBe(0)
  })

  test('a file over UPLOAD_MAX_FILE_MB is 413 and no file is left, even ones before it', async () => {
    const small = mkdtempSync(join(tmpdir(), 'uploads-small-'))
    try {
      const limited = await testApp({ UPLOAD_DIR: small, UPLOAD_MAX_FILE_MB: '1' })
      const user = await freshUser()
      const res = await post(
        limited,
        user,
        form([
          { name: 'fine.png', bytes: uniquePng() },
          { name: 'huge.jpg', bytes: bigJpeg(2 * 1024 * 1024) },
        ]),
      )
      expect(res.status).toBe(413)
      expect((await readJson(res)).detail).toContain('huge.jpg')
      expect(filesIn(small)).toEqual([])
      expect(await uploadCount(user)).toBe(0)
      // Just under the limit is fine.
      const ok = await post(limited, user, form([{ name: 'max.jpg', bytes: bigJpeg(1024 * 1024) }]))
      expect(ok.status).toBe(201)
    } finally {
      rmSync(small, { recursive: true, force: true })
    }
  })

  test('a body over the request-wide limit is 413 even when no single file is too large', async () => {
    const small = mkdtempSync(join(tmpdir(), 'uploads-small-'))
    try {
      const limited = await testApp({
        UPLOAD_DIR: small,
        UPLOAD_MAX_FILE_MB: '1',
        UPLOAD_MAX_FILES: '1',
      })
      const user = await freshUser()
      const boundary = 'xBoundaryx'
      // A preamble is ignored by multipart parsers but still costs bytes to receive.
      const body = new Blob([
        new Uint8Array(3 * 1024 * 1024).fill(0x41),
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n`,
        'Content-Type: image/png\r\n\r\n',
        samples.png,
        `\r\n--${boundary}--\r\n`,
      ])
      const res = await post(limited, user, body.stream(), {
        'content-type': `multipart/form-data; boundary=${boundary}`,
      })
      expect(res.status).toBe(413)
      expect(filesIn(small)).toEqual([])
      const declared = await post(limited, user, 'x', {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(50 * 1024 * 1024),
      })
      expect(declared.status).toBe(413)
    } finally {
      rmSync(small, { recursive: true, force: true })
    }
  })

  test('content that is not an allowed type, or is not what it claims, is 415 and not kept', async () => {
    const user = await freshUser()
    const before = filesIn(dir)
    const text = (s: string) => new TextEncoder().encode(s)
    const cases: FileSpec[][] = [
      [{ name: 'cat.png', bytes: text('just some text, not a picture'), type: 'image/png' }],
      [{ name: 'cat.png', bytes: text('<svg xmlns="http://www.w3.org/2000/svg"/>') }],
      [{ name: 'photo.png', bytes: samples.jpeg, type: 'image/png' }],
      [{ name: 'report.pdf', bytes: samples.gif }],
      [{ name: 'empty.png', bytes: new Uint8Array(0) }],
      [
        { name: 'good.png', bytes: uniquePng() },
        { name: 'bad.gif', bytes: text('not a GIF at all') },
      ],
    ]
    for (const files of cases) {
      const res = await post(t, user, form(files))
      const names = files.map((f) => f.name).join()
      expect([names, res.status]).toEqual([names, 415])
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
    expect(filesIn(dir)).toEqual(before)
    expect(await uploadCount(user)).toBe(0)
  })

  test('a request that is not multipart, or has no `files`, is refused with a problem', async () => {
    const json = await t.app.request('/api/uploads', jsonInit('POST', { files: [] }, owner.auth))
    expect(json.status).toBe(415)
    const textOnly = new FormData()
    textOnly.append('note', 'hello')
    expect((await post(t, owner, textOnly)).status).toBe(400)
    const misnamed = form([{ name: 'a.png', bytes: uniquePng(), field: 'file' }])
    const wrongField = await post(t, owner, misnamed)
    expect(wrongField.status).toBe(400)
    expect((await readJson(wrongField)).detail).toContain('`files`')
    const noBoundary = await post(t, owner, 'x', { 'content-type': 'multipart/form-data' })
    expect(noBoundary.status).toBe(400)
    const unfinished = '--b\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\nabc'
    const truncated = await post(t, owner, unfinished, {
      'content-type': 'multipart/form-data; boundary=b',
    })
    expect(truncated.status).toBe(400)
  })

  test('anonymous uploads are 401', async () => {
    const res = await post(t, undefined, form([{ name: 'a.png', bytes: samples.png }]))
    expect(res.status).toBe(401)
  })

  test('a path-traversal or control-character name is kept as harmless metadata only', async () => {
    const user = await freshUser()
    const before = new Set(filesIn(dir))
    const items = await upload(user, [
      { name: '../../../etc/passwd.png', bytes: uniquePng() },
      { name: '..\\..\\windows\\evil.png', bytes: uniquePng() },
      { name: 'in\u202Egnp.exe\u0007.png', bytes: uniquePng() },
      { name: '..', bytes: uniquePng() },
    ])
    expect(items.map((i) => i.original_name)).toEqual([
      'passwd.png',
      'evil.png',
      'ingnp.exe.png',
      'upload.png',
    ])
    const added = filesIn(dir).filter((name) => !before.has(name))
    expect(added).toHaveLength(4)
    for (const name of added) expect(name).toMatch(/^[0-9a-f-]{36}\.png$/)
  })
})

describe('GET /api/uploads/{id}', () => {
  let png: any
  let pngBytes: Bytes
  let pdf: any

  beforeAll(async () => {
    pngBytes = uniquePng()
    ;[png, pdf] = await upload(owner, [
      { name: 'Zoë (best) shot.png', bytes: pngBytes },
      { name: 'contract.pdf', bytes: samples.pdf },
    ])
  })

  const get = (id: number, headers: Record<string, string> = {}) =>
    t.app.request(`/api/uploads/${id}`, { headers })

  test('the owner gets the bytes with type, nosniff, an inline disposition and an ETag', async () => {
    const res = await get(png.id, owner.auth)
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pngBytes)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('content-length')).toBe(String(pngBytes.length))
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('content-disposition')).toBe(
      `inline; filename="Zo_ (best) shot.png"; filename*=UTF-8''Zo%C3%AB%20%28best%29%20shot.png`,
    )
    expect(res.headers.get('etag')).toBe(`"${png.sha256}"`)
    const again = await get(png.id, { ...owner.auth, 'If-None-Match': res.headers.get('etag')! })
    expect(again.status).toBe(304)
  })

  test('a PDF is sent as an attachment', async () => {
    const res = await get(pdf.id, owner.auth)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toStartWith(
      'attachment; filename="contract.pdf"',
    )
  })

  test('byte ranges answer 206 with Content-Range; one outside the file is a 416 problem', async () => {
    const size = pngBytes.length
    const first = await get(png.id, { ...owner.auth, Range: 'bytes=0-7' })
    expect(first.status).toBe(206)
    expect(first.headers.get('content-range')).toBe(`bytes 0-7/${size}`)
    expect(first.headers.get('content-length')).toBe('8')
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(pngBytes.subarray(0, 8))

    const tail = await get(png.id, { ...owner.auth, Range: 'bytes=-12' })
    expect(tail.status).toBe(206)
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 12}-${size - 1}/${size}`)
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(pngBytes.subarray(size - 12))

    const open = await get(png.id, { ...owner.auth, Range: `bytes=10-${size + 100}` })
    expect(open.status).toBe(206)
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(pngBytes.subarray(10))

    const outside = await get(png.id, { ...owner.auth, Range: `bytes=${size}-` })
    expect(outside.status).toBe(416)
    expect(outside.headers.get('content-range')).toBe(`bytes */${size}`)
    expect(outside.headers.get('content-type')).toBe('application/problem+json')

    const stale = await get(png.id, { ...owner.auth, Range: 'bytes=0-7', 'If-Range': '"other"' })
    expect(stale.status).toBe(200)
  })

  test('another user gets 404, an admin 200, and anonymous 401', async () => {
    expect((await get(png.id, other.auth)).status).toBe(404)
    expect((await get(png.id, admin.auth)).status).toBe(200)
    expect((await get(png.id)).status).toBe(401)
    expect((await get(999_999_999_999, owner.auth)).status).toBe(404)
    expect((await get(999_999_999_999)).status).toBe(401)
  })

  test('anyone may read an upload shown in the public gallery, and only while it is public', async () => {
    const [item] = await upload(owner, [{ name: 'public.png', bytes: uniquePng() }])
    const create = await t.app.request(
      '/api/admin/gallery',
      jsonInit('POST', { upload_id: item.id, title: 'Open day', is_public: false }, admin.auth),
    )
    expect(create.status).toBe(201)
    const image = await readJson(create)
    expect((await get(item.id)).status).toBe(401)
    const patch = await t.app.request(
      `/api/admin/gallery/${image.id}`,
      jsonInit('PATCH', { is_public: true }, admin.auth),
    )
    expect(patch.status).toBe(200)
    const res = await get(item.id)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('public')
    expect((await get(item.id, other.auth)).status).toBe(200)
    await t.app.request(
      `/api/admin/gallery/${image.id}`,
      jsonInit('PATCH', { is_public: false }, admin.auth),
    )
    expect((await get(item.id)).status).toBe(401)
    expect((await get(item.id, other.auth)).status).toBe(404)
  })
})

describe('GET /api/uploads', () => {
  test("lists only the caller's uploads, newest first, paginated", async () => {
    const user = await freshUser()
    const items = await upload(user, [
      { name: '1.png', bytes: uniquePng() },
      { name: '2.png', bytes: uniquePng() },
      { name: '3.png', bytes: uniquePng() },
    ])
    const ids = items.map((i) => i.id).sort((a, b) => b - a)
    const list = (query: string) => t.app.request(`/api/uploads?${query}`, { headers: user.auth })
    const page1 = await readJson(await list('page_size=2'))
    expect(page1.items.map((i: any) => i.id)).toEqual(ids.slice(0, 2))
    expect(page1.pagination).toMatchObject({ total: 3, has_next: true })
    const page2 = await readJson(await list(`page_size=2&cursor=${page1.pagination.next_cursor}`))
    expect(page2.items.map((i: any) => i.id)).toEqual(ids.slice(2))
    expect((await t.app.request('/api/uploads')).status).toBe(401)
  })
})
