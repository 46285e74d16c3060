import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readJson, testApp, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers, type TestUser } from '../support/users'
import { form, samples, uniquePng } from '../uploads/samples'

let dir: string
let t: TestApp
let admin: TestUser
let user: TestUser

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gallery-test-'))
  t = await testApp({ UPLOAD_DIR: dir })
  admin = await makeUser(t, 'admin')
  user = await makeUser(t)
})

afterAll(async () => {
  // Deleting the uploads cascades to their gallery entries.
  await removeUsers(t, [admin.id, user.id])
  rmSync(dir, { recursive: true, force: true })
})

async function uploadImages(count: number, bytes = () => uniquePng()): Promise<any[]> {
  const files = Array.from({ length: count }, (_, i) => ({ name: `g${i}.png`, bytes: bytes() }))
  const res = await t.app.request('/api/uploads', {
    method: 'POST',
    headers: admin.auth,
    body: form(files),
  })
  expect(res.status).toBe(201)
  return (await readJson(res)).items
}

async function addImage(body: Record<string, unknown>) {
  const res = await t.app.request('/api/admin/gallery', jsonInit('POST', body, admin.auth))
  expect(res.status).toBe(201)
  return readJson(res)
}

describe('admin gallery', () => {
  test('an admin puts an upload in the gallery, changes it and takes it out', async () => {
    const [upload] = await uploadImages(1)
    const image = await addImage({ upload_id: upload.id, title: '  Court 1 ', is_public: true })
    expect(image).toMatchObject({
      upload_id: upload.id,
      title: 'Court 1',
      caption: '',
      is_public: true,
      sort_order: 0,
      url: `/api/uploads/${upload.id}`,
      mime: 'image/png',
    })
    expect(image.created_at).toMatch(/Z$/)

    const path = `/api/admin/gallery/${image.id}`
    const change = { caption: 'Freshly painted', sort_order: 5, is_public: false }
    const patch = await t.app.request(path, jsonInit('PATCH', change, admin.auth))
    expect(patch.status).toBe(200)
    expect(await readJson(patch)).toMatchObject(change)

    const list = await t.app.request('/api/admin/gallery?page_size=100', { headers: admin.auth })
    expect((await readJson(list)).pagination.total).toBeGreaterThanOrEqual(1)

    const del = await t.app.request(path, { method: 'DELETE', headers: admin.auth })
    expect(del.status).toBe(204)
    const again = await t.app.request(path, { method: 'DELETE', headers: admin.auth })
    expect(again.status).toBe(404)
    const gone = await t.app.request(path, jsonInit('PATCH', { title: 'x' }, admin.auth))
    expect(gone.status).toBe(404)
    // The upload itself stays.
    expect((await t.app.request(upload.url, { headers: admin.auth })).status).toBe(200)
  })

  test('the admin list walks every image once by cursor', async () => {
    const uploads = await uploadImages(3)
    const ids: number[] = []
    for (const u of uploads) {
      ids.push((await addImage({ upload_id: u.id, title: 'walk', is_public: false })).id)
    }
    const seen: number[] = []
    let url: string | null = '/api/admin/gallery?page_size=2'
    while (url) {
      const body = await readJson(await t.app.request(url, { headers: admin.auth }))
      seen.push(...body.items.map((i: { id: number }) => i.id))
      const next = body.pagination.next_cursor
      url = next ? `/api/admin/gallery?page_size=2&cursor=${next}` : null
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids)
  })

  test('an upload that does not exist, or is not an image, is refused with 422', async () => {
    const missing = await t.app.request(
      '/api/admin/gallery',
      jsonInit('POST', { upload_id: 999_999_999_999, title: 'Nope', is_public: true }, admin.auth),
    )
    expect(missing.status).toBe(422)
    expect((await readJson(missing)).errors[0].path).toBe('upload_id')

    const res = await t.app.request('/api/uploads', {
      method: 'POST',
      headers: admin.auth,
      body: form([{ name: 'rules.pdf', bytes: samples.pdf }]),
    })
    const [pdf] = (await readJson(res)).items
    const notImage = await t.app.request(
      '/api/admin/gallery',
      jsonInit('POST', { upload_id: pdf.id, title: 'Rules', is_public: true }, admin.auth),
    )
    expect(notImage.status).toBe(422)
  })

  test('bad fields are a 400 listing each', async () => {
    const res = await t.app.request(
      '/api/admin/gallery',
      jsonInit('POST', { upload_id: 'x', title: '', sort_order: 1.5, extra: 1 }, admin.auth),
    )
    expect(res.status).toBe(400)
    const paths = (await readJson(res)).errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['upload_id', 'title', 'is_public', 'sort_order']))
    const empty = await t.app.request('/api/admin/gallery/1', jsonInit('PATCH', {}, admin.auth))
    expect(empty.status).toBe(400)
  })

  test('admin routes are 401 without a token and 403 for a plain user', async () => {
    const body = { upload_id: 1, title: 'x', is_public: true }
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/admin/gallery'],
      ['POST', '/api/admin/gallery', body],
      ['PATCH', '/api/admin/gallery/1', { title: 'y' }],
      ['DELETE', '/api/admin/gallery/1'],
    ]
    for (const [method, path, json] of calls) {
      const init = (headers: Record<string, string>) =>
        json === undefined ? { method, headers } : jsonInit(method, json, headers)
      expect((await t.app.request(path, init({}))).status).toBe(401)
      expect((await t.app.request(path, init(user.auth))).status).toBe(403)
    }
  })
})

describe('GET /api/gallery/public', () => {
  let publicIds: number[]
  let hiddenId: number

  beforeAll(async () => {
    const uploads = await uploadImages(5)
    // Sort orders far from other tests' rows; two share one to show the id breaks the tie.
    const base = 700_000 + Math.floor(Math.random() * 100_000)
    const orders = [base + 3, base + 1, base + 2, base + 1]
    const made = []
    for (const [i, order] of orders.entries()) {
      made.push(
        await addImage({
          upload_id: uploads[i].id,
          title: `P${i}`,
          caption: 'c',
          is_public: true,
          sort_order: order,
        }),
      )
    }
    const hidden = { upload_id: uploads[4].id, title: 'hidden', is_public: false, sort_order: base }
    hiddenId = (await addImage(hidden)).id
    publicIds = [made[1].id, made[3].id, made[2].id, made[0].id]
  })

  test('lists public images by sort order then id, paged by cursor, without a token', async () => {
    const seen: any[] = []
    let url: string | null = '/api/gallery/public?page_size=2'
    while (url) {
      const res = await t.app.request(url)
      expect(res.status).toBe(200)
      const body = await readJson(res)
      seen.push(...body.items)
      const link = res.headers.get('link')
      url = body.pagination.next_cursor ? /<([^>]+)>/.exec(link!)![1]! : null
    }
    const ids = seen.map((i) => i.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).not.toContain(hiddenId)
    expect(ids.filter((id) => publicIds.includes(id))).toEqual(publicIds)
    const orders = seen.map((i) => i.sort_order)
    expect(orders).toEqual([...orders].sort((a, b) => a - b))
    const mine = seen.find((i) => i.id === publicIds[0])
    expect(Object.keys(mine).sort()).toEqual(
      ['caption', 'created_at', 'id', 'mime', 'sort_order', 'title', 'upload_id', 'url'].sort(),
    )
    expect(mine.url).toBe(`/api/uploads/${mine.upload_id}`)
    // A public image's file is readable without a token.
    expect((await t.app.request(mine.url)).status).toBe(200)
  })

  test('is cacheable: Cache-Control public and an ETag that answers 304', async () => {
    const res = await t.app.request('/api/gallery/public')
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
    const tag = res.headers.get('etag')
    expect(tag).toBeTruthy()
    const again = await t.app.request('/api/gallery/public', { headers: { 'If-None-Match': tag! } })
    expect(again.status).toBe(304)
    expect(again.headers.get('cache-control')).toBe('public, max-age=60')
    const repeat = await t.app.request('/api/gallery/public')
    expect(repeat.headers.get('cache-control')).toBe('public, max-age=60')
    expect(repeat.headers.get('etag')).toBe(tag)
  })

  test('an admin change shows in the next public read, cached or not', async () => {
    const [upload] = await uploadImages(1)
    const image = await addImage({
      upload_id: upload.id,
      title: 'Soon hidden',
      is_public: true,
      sort_order: -900_000 - Math.floor(Math.random() * 90_000),
    })
    const url = '/api/gallery/public?page_size=1'
    const first = await readJson(await t.app.request(url))
    expect(first.items[0].id).toBe(image.id)
    const hide = jsonInit('PATCH', { is_public: false }, admin.auth)
    expect((await t.app.request(`/api/admin/gallery/${image.id}`, hide)).status).toBe(200)
    const second = await readJson(await t.app.request(url))
    expect(second.items[0]?.id).not.toBe(image.id)
  })
})
