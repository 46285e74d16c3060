/**
 * Rewrites the bytes of a `COPY ... TO STDOUT` into the document the client gets. The bytes come
 * as the driver received them (one chunk per row, as it happens, but an encoder does not rely on
 * that); each call turns the chunks gathered so far into one buffer, carrying any state it needs
 * to the next call.
 */
export interface CopyEncoder {
  /** Written before the first chunk. */
  head: Uint8Array
  encode(chunks: Uint8Array[], length: number): Uint8Array
  /** Written after the last chunk. */
  tail(): Uint8Array
}

const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const COMMA = 0x2c
const empty = new Uint8Array(0)
const text = (s: string) => new TextEncoder().encode(s)

const concat = (chunks: Uint8Array[], length: number) =>
  chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)

/**
 * The first `length` bytes of the chunks' concatenation in one buffer, after `prefix`, with
 * `insert` written before the bytes at the offsets `at` (ascending, counted in that
 * concatenation).
 */
function spliced(
  chunks: Uint8Array[],
  length: number,
  at: number[],
  insert: number[],
  prefix: number[] = [],
): Uint8Array {
  const out = new Uint8Array(prefix.length + length + at.length * insert.length)
  let written = 0
  for (const byte of prefix) out[written++] = byte
  let base = 0
  let next = 0
  for (const chunk of chunks) {
    if (base >= length) break
    const end = Math.min(chunk.length, length - base)
    let from = 0
    for (; next < at.length && at[next]! < base + end; next++) {
      const cut = at[next]! - base
      out.set(chunk.subarray(from, cut), written)
      written += cut - from
      for (const byte of insert) out[written++] = byte
      from = cut
    }
    out.set(chunk.subarray(from, end), written)
    written += end - from
    base += chunk.length
  }
  return out
}

/** The COPY output as it is (NDJSON: one JSON text and a newline per row). */
export const asIs = (): CopyEncoder => ({ head: empty, encode: concat, tail: () => empty })

/**
 * PostgreSQL ends CSV rows with LF; RFC 4180 (and our batch path) with CRLF. A LF ends a row
 * only outside a quoted field (a note may hold newlines), and since quotes inside a field are
 * doubled, counting every quote tells which side of a field we are on.
 */
export function csvCrlf(): CopyEncoder {
  let quoted = false
  return {
    head: empty,
    encode(chunks, length) {
      const ends: number[] = []
      let base = 0
      for (const chunk of chunks) {
        let quote = chunk.indexOf(QUOTE)
        for (let lf = chunk.indexOf(LF); lf >= 0; ) {
          if (quote >= 0 && quote < lf) {
            quoted = !quoted
            quote = chunk.indexOf(QUOTE, quote + 1)
            continue
          }
          if (!quoted) ends.push(base + lf)
          lf = chunk.indexOf(LF, lf + 1)
        }
        for (; quote >= 0; quote = chunk.indexOf(QUOTE, quote + 1)) quoted = !quoted
        base += chunk.length
      }
      return ends.length === 0 ? concat(chunks, length) : spliced(chunks, length, ends, [CR])
    },
    tail: () => empty,
  }
}

/**
 * JSON lines (which never hold a raw newline) as one JSON array, laid out as the batch path
 * writes it: `[\n`, the records joined by `,\n`, then `\n]\n`. A newline followed by another line
 * gets a comma before it; the newline ending the last line received is held back until the next
 * line (or the end) shows which it is.
 */
export function jsonArrayFromLines(): CopyEncoder {
  let heldNewline = false
  return {
    head: text('[\n'),
    encode(chunks, length) {
      if (length === 0) return empty
      const newlines: number[] = []
      let base = 0
      for (const chunk of chunks) {
        for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
          newlines.push(base + lf)
        }
        base += chunk.length
      }
      const prefix = heldNewline ? [COMMA, LF] : []
      heldNewline = newlines.at(-1) === length - 1
      if (heldNewline) newlines.pop()
      return spliced(chunks, heldNewline ? length - 1 : length, newlines, [COMMA], prefix)
    },
    tail: () => text('\n]\n'),
  }
}
