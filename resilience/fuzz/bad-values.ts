import type { Schema } from './operations'
import { typesOf } from './valid-values'

/** A labelled value that breaks a schema; `raw` is JSON text put in place as is (1e400). */
export interface Bad {
  label: string
  value?: unknown
  raw?: string
}

const WRONG_TYPES: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['minus-one', -1],
  ['fraction', 1.5],
  ['empty-string', ''],
  ['string', 'x'],
  ['numeric-string', '1'],
  ['empty-array', []],
  ['array', [1]],
  ['empty-object', {}],
  ['object', { a: 1 }],
]

function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Values of a JSON type the schema does not allow. */
export function wrongTypes(schema: Schema): Bad[] {
  const allowed = new Set(typesOf(schema))
  if (allowed.has('number')) allowed.add('integer')
  if (allowed.size === 0) return []
  return WRONG_TYPES.filter(([, v]) => !allowed.has(jsonType(v))).map(([label, value]) => ({
    label: `wrong-type:${label}`,
    value,
  }))
}

/** Calendar-impossible, offset-less or otherwise not RFC 3339 date-times. */
export const BAD_DATE_TIMES = [
  '2031-02-30T10:00:00Z',
  '2031-02-29T10:00:00Z',
  '2031-13-01T10:00:00Z',
  '2031-01-01T24:00:00Z',
  '2031-01-01T10:60:00Z',
  '2031-01-01T10:00:00',
  '2031-01-01T10:00:00+24:00',
  '2031-1-1T10:00:00Z',
  '2031-01-01',
  '10:00',
  'tomorrow',
  '',
  '0000-00-00T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '1e12',
]
export const BAD_DATES = [
  '2031-02-30',
  '2029-02-29',
  '2031-13-01',
  '2031-1-1',
  '20310101',
  '31/01/2031',
  '2031-01-01T00:00:00Z',
  '',
  'yesterday',
]
export const BAD_EMAILS = [
  'plainaddress',
  '@example.com',
  'a@',
  'a@@example.com',
  'a b@example.com',
  'a@exa mple.com',
  '<a@example.com>',
]
export const BAD_TIMES = ['24:00', '7:30', '18:60', '18:30:00', '1830', '', '18:3', '１８:３０']
export const BAD_TIME_ZONES = ['Mars/Olympus_Mons', 'UTC+25', 'Europe/Nowhere', '']

/** Numbers no integer field of the API takes, as JSON text (they do not survive JSON.stringify). */
const HUGE = ['1e400', '-1e400', '123456789012345678901234567890', '9007199254740993']

/** Values of the right type but outside what the schema allows. */
export function outOfRange(schema: Schema, name: string): Bad[] {
  const types = typesOf(schema)
  const out: Bad[] = []
  if (types.includes('integer') || types.includes('number')) {
    if (schema.minimum !== undefined)
      out.push({ label: 'below-minimum', value: schema.minimum - 1 })
    if (schema.maximum !== undefined)
      out.push({ label: 'above-maximum', value: schema.maximum + 1 })
    for (const raw of HUGE) out.push({ label: `huge:${raw}`, raw })
  }
  if (types.includes('string')) {
    if (schema.maxLength !== undefined)
      out.push({ label: 'too-long', value: 'x'.repeat(schema.maxLength + 1) })
    if ((schema.minLength ?? 0) > 0) out.push({ label: 'too-short', value: '' })
    const formats: Record<string, string[]> = {
      'date-time': BAD_DATE_TIMES,
      date: BAD_DATES,
      email: BAD_EMAILS,
    }
    for (const v of formats[schema.format ?? ''] ?? [])
      out.push({ label: `bad-${schema.format}:${v}`, value: v })
    if (schema.pattern) for (const v of BAD_TIMES) out.push({ label: `bad-pattern:${v}`, value: v })
    if (schema.enum) {
      const first = String(schema.enum[0])
      for (const v of ['bogus', first.toUpperCase(), ` ${first}`, `${first}\u0000`, '']) {
        if (!schema.enum.includes(v))
          out.push({ label: `not-in-enum:${JSON.stringify(v)}`, value: v })
      }
    }
    if (name === 'timezone')
      for (const v of BAD_TIME_ZONES) out.push({ label: `bad-time-zone:${v}`, value: v })
    // PostgreSQL text cannot hold U+0000: the API must refuse it, not fail on it. A password is
    // only ever hashed, so any character is fine there.
    if (!schema.enum && !schema.format && !schema.pattern && name !== 'password') {
      out.push({ label: 'nul-character', value: 'before\u0000after' })
    }
  }
  if (types.includes('array')) {
    if ((schema.minItems ?? 0) > 0) out.push({ label: 'too-few-items', value: [] })
  }
  return out
}

/** Path and query integers: [label, text as it goes into the URL]. */
export function badIntegerTexts(schema: Schema): [string, string][] {
  const out: [string, string][] = [
    ['not-a-number', 'abc'],
    ['empty', ''],
    ['negative', '-1'],
    ['fraction', '1.5'],
    ['exponent-overflow', '1e309'],
    ['huge', '99999999999999999999999999'],
    ['nan', 'NaN'],
    ['infinity', 'Infinity'],
    ['arabic-digits', '%D9%A1%D9%A2'],
    ['fullwidth-digits', '%EF%BC%91%EF%BC%92'],
    ['nul', '%00'],
    ['invalid-utf8', '%FF'],
    ['overlong-utf8', '%C0%B1'],
    ['broken-percent', '%E0%A4%A'],
    ['lone-percent', '%'],
    ['sql', "1'%20OR%20'1'%3D'1"],
    ['array', '%5B1%5D'],
    ['boolean', 'true'],
  ]
  if ((schema.minimum ?? 0) >= 1) out.push(['zero', '0'])
  if (schema.maximum !== undefined) out.push(['above-maximum', String(schema.maximum + 1)])
  return out
}

/**
 * Integers written in a form other than plain digits. JavaScript's Number() reads them, so an
 * API that coerces with it takes them for a valid id: `lenient-number` in the results.
 */
export const lenientIntegerTexts = (n: number): [string, string][] => [
  ['lenient-number:hex', `0x${n.toString(16)}`],
  ['lenient-number:exponent', `${n}e0`],
  ['lenient-number:plus-sign', `%2B${n}`],
  ['lenient-number:leading-space', `%20${n}`],
  ['lenient-number:trailing-space', `${n}%20`],
  ['lenient-number:decimal-point', `${n}.0`],
]
