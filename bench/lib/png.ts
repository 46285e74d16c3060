import { randomFillSync } from 'node:crypto'

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Signature, IHDR chunk (12 + 13), IDAT chunk framing (12), IEND chunk (12). */
const OVERHEAD = 8 + 25 + 12 + 12

function chunk(out: Uint8Array, at: number, type: string, dataLength: number): number {
  const view = new DataView(out.buffer, out.byteOffset)
  view.setUint32(at, dataLength)
  for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i)
  const end = at + 8 + dataLength
  view.setUint32(end, Bun.hash.crc32(out.subarray(at + 4, end)))
  return end + 4
}

/**
 * A file that is a PNG to any content sniffer: the signature, a valid IHDR, one IDAT chunk of
 * random bytes (so every file's content, and sha256, is its own) and IEND, `size` bytes in all.
 */
export function randomPng(size: number): Uint8Array {
  if (size < OVERHEAD) throw new Error(`a PNG needs at least ${OVERHEAD} bytes`)
  const out = new Uint8Array(size)
  out.set(SIGNATURE, 0)
  const view = new DataView(out.buffer)
  view.setUint32(16, 4000) // width
  view.setUint32(20, 3000) // height
  out.set([8, 2, 0, 0, 0], 24) // 8-bit RGB, deflate, adaptive filter, no interlace
  let at = chunk(out, 8, 'IHDR', 13)
  const idat = size - OVERHEAD
  randomFillSync(out, at + 8, idat)
  at = chunk(out, at, 'IDAT', idat)
  chunk(out, at, 'IEND', 0)
  return out
}
