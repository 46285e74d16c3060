import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testApp, type TestApp } from '../support/app'
import { serve } from '../support/serve'
import { makeUser, removeUsers, type TestUser } from '../support/users'
import { samples } from './samples'

const MB = 1024 * 1024
const FILE_BYTES = 10 * MB
const CHUNK = 64 * 1024

let dir: string
let t: TestApp
let server: ReturnType<typeof serve>
let user: TestUser

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uploads-memory-'))
  t = await testApp({ UPLOAD_DIR: dir, UPLOAD_MAX_FILE_MB: '11', UPLOAD_MAX_FILES: '3' })
  server = serve(t)
  user = await makeUser(t)
})

afterAll(async () => {
  server.stop()
  await removeUsers(t, [user.id])
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A multipart body of `count` JPEG-headed files generated chunk by chunk as the server pulls
 * it, so the client side of this process never holds more than one chunk either.
 */
function streamedBody(boundary: string, count: number, hashes: string[]) {
  const encoder = new TextEncoder()
  let file = 0
  let sent = 0
  let hash = createHash('sha256')
  let stage: 'head' | 'data' | 'end' = 'head'
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === 'head') {
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\n` +
              `Content-Disposition: form-data; name="files"; filename="big-${file}.jpg"\r\n` +
              'Content-Type: image/jpeg\r\n\r\n',
          ),
        )
        stage = 'data'
        return
      }
      if (stage === 'data') {
        const size = Math.min(CHUNK, FILE_BYTES - sent)
        const chunk = new Uint8Array(size)
        for (let i = 0; i < size; i += 512) chunk[i] = (sent + i + file) & 0xff
        if (sent === 0) chunk.set(samples.jpeg.subarray(0, 20))
        hash.update(chunk)
        sent += size
        controller.enqueue(chunk)
        if (sent === FILE_BYTES) {
          hashes.push(hash.digest('hex'))
          controller.enqueue(encoder.encode('\r\n'))
          file++
          sent = 0
          hash = createHash('sha256')
          stage = file === count ? 'end' : 'head'
        }
        return
      }
      controller.enqueue(encoder.encode(`--${boundary}--\r\n`))
      controller.close()
    },
  })
}

const rss = () => {
  Bun.gc(true)
  return process.memoryUsage().rss
}

test('a 30 MB upload streams to disk without the server holding it in memory', async () => {
  const boundary = `mem${Date.now()}`
  // Warm up: the first request loads code paths whose memory is not the upload's.
  const warm: string[] = []
  const first = await fetch(`${server.url}/api/uploads`, {
    method: 'POST',
    headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: streamedBody(boundary, 1, warm),
  })
  expect(first.status).toBe(201)

  const before = rss()
  let peak = before
  // Collecting before each sample makes the peak what the request keeps alive, not garbage.
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss())
  }, 100)
  const hashes: string[] = []
  const res = await fetch(`${server.url}/api/uploads`, {
    method: 'POST',
    headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: streamedBody(boundary, 3, hashes),
  })
  clearInterval(sampler)
  expect(res.status).toBe(201)
  const { items } = (await res.json()) as { items: { size_bytes: number; sha256: string }[] }
  expect(items.map((i) => i.size_bytes)).toEqual([FILE_BYTES, FILE_BYTES, FILE_BYTES])
  expect(items.map((i) => i.sha256)).toEqual(hashes)

  const after = rss()
  console.log(
    `rss before ${(before / MB).toFixed(1)} MB, peak +${((peak - before) / MB).toFixed(1)} MB, ` +
      `after +${((after - before) / MB).toFixed(1)} MB`,
  )
  expect(after - before).toBeLessThan(25 * MB)
  // Even while it runs, the request never holds anything like the 30 MB it carries.
  expect(peak - before).toBeLessThan(3 * FILE_BYTES)
}, 60_000)
