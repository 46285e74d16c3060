import { createHash } from 'node:crypto'

export type Bytes = Uint8Array<ArrayBuffer>

const b64 = (s: string): Bytes => new Uint8Array(Buffer.from(s, 'base64'))

/** Small but real files of each allowed type. */
export const samples = {
  png: b64(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  ),
  jpeg: b64(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  ),
  gif: b64('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'),
  webp: b64('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=='),
  pdf: new TextEncoder().encode(
    '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n' +
      '2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
  ),
}

/** A PNG whose bytes differ per call (a text chunk before IEND), so dedup does not merge it. */
export function uniquePng(tag = `${Date.now()}-${Math.random()}`): Bytes {
  const iendAt = samples.png.length - 12
  const text = new TextEncoder().encode(`Comment\0${tag}`)
  const chunk = new Uint8Array(12 + text.length)
  new DataView(chunk.buffer).setUint32(0, text.length)
  chunk.set(new TextEncoder().encode('tEXt'), 4)
  chunk.set(text, 8)
  const crc = Bun.hash.crc32(chunk.subarray(4, 8 + text.length))
  new DataView(chunk.buffer).setUint32(8 + text.length, crc)
  const out = new Uint8Array(samples.png.length + chunk.length)
  out.set(samples.png.subarray(0, iendAt))
  out.set(chunk, iendAt)
  out.set(samples.png.subarray(iendAt), iendAt + chunk.length)
  return out
}

/** A JPEG-headed file of `size` bytes (the rest is filler), for size limits. */
export function bigJpeg(size: number): Bytes {
  const out = new Uint8Array(size)
  out.set(samples.jpeg.subarray(0, 20))
  for (let i = 20; i < size; i += 4096) out[i] = i & 0xff
  return out
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export type FileSpec = { name: string; bytes: Bytes; type?: string; field?: string }

export function form(files: FileSpec[]): FormData {
  const data = new FormData()
  for (const f of files) {
    data.append(f.field ?? 'files', new Blob([f.bytes], f.type ? { type: f.type } : {}), f.name)
  }
  return data
}
