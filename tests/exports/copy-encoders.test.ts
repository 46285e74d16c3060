import { describe, expect, test } from 'bun:test'
import { stringify } from 'csv-stringify/sync'
import fc from 'fast-check'
import { csvCrlf, jsonArrayFromLines, type CopyEncoder } from '../../src/db/copy-encoders'

const bytes = (s: string) => new TextEncoder().encode(s)
const decode = (b: Uint8Array) => new TextDecoder().decode(b)

/** `input` cut at `cuts`, handed to the encoder in calls of a few chunks each, as COPY would. */
function encodeInPieces(encoder: CopyEncoder, input: Uint8Array, cuts: number[], perCall: number) {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const at of [...points, input.length]) {
    chunks.push(input.subarray(from, at))
    from = at
  }
  const out: Uint8Array[] = [encoder.head]
  for (let i = 0; i < chunks.length; i += perCall) {
    const call = chunks.slice(i, i + perCall)
    out.push(encoder.encode(call, call.reduce((n, c) => n + c.length, 0)))
  }
  out.push(encoder.tail())
  return decode(Buffer.concat(out))
}

// Cells with everything CSV has to quote, and unicode that a cut may split mid-character.
const cell = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '🎾', '\\') }),
  fc.integer().map(String),
  fc.constant(''),
)
const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 20 })
const cuts = fc.array(fc.nat(), { maxLength: 30 })
const perCall = fc.integer({ min: 1, max: 5 })

describe('COPY output encoders', () => {
  test('CSV rows end with CRLF, and line breaks inside quoted cells stay as they are', () => {
    fc.assert(
      fc.property(rows, cuts, perCall, (records, at, n) => {
        // As PostgreSQL writes CSV: any cell with a CR or a LF quoted, rows ended by LF.
        const csv = (ends: 'unix' | 'windows') =>
          stringify(records, { record_delimiter: ends, quote_record_delimiter: true })
        const lf = bytes(csv('unix'))
        const crlf = csv('windows')
        expect(encodeInPieces(csvCrlf(), lf, at, n)).toBe(crlf)
      }),
    )
  })

  test('JSON lines become the JSON array the batch path writes', () => {
    const values = fc.array(fc.jsonValue().map((v) => JSON.stringify(v)), { maxLength: 20 })
    fc.assert(
      fc.property(values, cuts, perCall, (lines, at, n) => {
        const ndjson = bytes(lines.map((l) => `${l}\n`).join(''))
        const array = `[\n${lines.join(',\n')}\n]\n`
        const out = encodeInPieces(jsonArrayFromLines(), ndjson, at, n)
        expect(out).toBe(array)
        expect(JSON.parse(out)).toEqual(lines.map((l) => JSON.parse(l)))
      }),
    )
  })
})
