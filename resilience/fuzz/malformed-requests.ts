import fc from 'fast-check'
import { uniquePng } from '../../tests/uploads/samples'
import {
  BAD_DATE_TIMES,
  badIntegerTexts,
  lenientIntegerTexts,
  outOfRange,
  wrongTypes,
  type Bad,
} from './bad-values'
import type { Operation, Parameter, Schema } from './operations'
import { utf8, type BodySpec, type FuzzRequest, type Part } from './request'
import { typesOf, validObject, validValue, type ValueContext } from './valid-values'
import type { FuzzWorld } from './world'

export interface FuzzLimits {
  maxBodyBytes: number
  maxFileBytes: number
  maxFiles: number
}

/** The valid request a defect is planted in. */
interface Base {
  op: Operation
  /** The path with every {param} filled with a valid value. */
  path: string
  ids: Record<string, string>
  query: [string, string][]
  token: string | undefined
  body: Record<string, unknown> | undefined
}

type Maker = (base: Base) => fc.Arbitrary<FuzzRequest>

const WRITE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const JSON_TYPE = 'application/json'
const BOUNDARY = 'fuzz-boundary-7d93'

/** Which fixture an `{id}` of a path names: the segment before it. */
function pathId(path: string, world: FuzzWorld): number {
  const segment = /\/([a-z-]+)\/\{id\}/.exec(path)?.[1] ?? ''
  const ids: Record<string, number> = {
    venues: world.ids.venue,
    items: world.ids.rental,
    programs: world.ids.program,
    bookings: world.ids.booking,
    'rack-orders': world.ids.order,
    uploads: world.ids.upload,
    gallery: world.ids.gallery,
  }
  return ids[segment] ?? 1
}

const fill = (path: string, ids: Record<string, string>) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => ids[name] ?? '1')

const queryString = (pairs: [string, string][]) =>
  pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''

const authHeader = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {}

/** JSON text of `value`, with `raw` spliced in where the marker string stands. */
function jsonText(value: unknown, raw?: string): string {
  const text = JSON.stringify(value)
  return raw === undefined ? text : text.replace('"__raw__"', raw)
}

/** The operation's valid body, so a refused credential or id is all that is wrong. */
function validBody(base: Base): BodySpec | undefined {
  const type = base.op.body?.contentType
  if (type === JSON_TYPE && base.body !== undefined) {
    return { kind: 'bytes', bytes: utf8(JSON.stringify(base.body)), contentType: JSON_TYPE }
  }
  if (type?.startsWith('multipart/')) {
    const png = uniquePng(`fuzz-${crypto.randomUUID()}`)
    return {
      kind: 'multipart',
      boundary: BOUNDARY,
      parts: [{ field: 'files', filename: 'photo.png', contentType: 'image/png', bytes: png }],
    }
  }
  return undefined
}

function request(
  base: Base,
  defect: string,
  parts: Partial<FuzzRequest> & { query?: [string, string][]; token?: string | null },
): FuzzRequest {
  const token = parts.token === null ? undefined : (parts.token ?? base.token)
  const body = 'body' in parts ? parts.body : validBody(base)
  return {
    op: base.op.key,
    defect,
    method: parts.method ?? base.op.method,
    url: `${parts.url ?? base.path}${queryString(parts.query ?? base.query)}`,
    headers: { ...authHeader(token), ...parts.headers },
    body,
  }
}

/** Any method the path does not answer: 405. */
const wrongMethod = (): Maker => (base) => {
  const others = WRITE_METHODS.filter((m) => !base.op.pathMethods.includes(m))
  return fc.constantFrom(...others).map((method) =>
    request(base, `method:${method}`, {
      method,
      body:
        method === 'GET' || method === 'DELETE'
          ? undefined
          : { kind: 'bytes', bytes: utf8('{}'), contentType: JSON_TYPE },
    }),
  )
}

function noneToken(world: FuzzWorld) {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const exp = Math.floor(Date.now() / 1000) + 3600
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(world.admin.id), role: 'admin', exp })}.`
}

/** Credentials that must be refused (401), or a user on an admin route (403). */
const badIdentity =
  (world: FuzzWorld): Maker =>
  (base) => {
    const headers: [string, Record<string, string>][] = [
      ['anonymous', {}],
      ['scheme-only', { authorization: 'Bearer' }],
      ['garbage-token', { authorization: 'Bearer abc' }],
      ['basic-auth', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['alg-none', { authorization: `Bearer ${noneToken(world)}` }],
      ['expired', { authorization: `Bearer ${world.expiredToken}` }],
      ['forged', { authorization: `Bearer ${world.forgedToken}` }],
      ['tampered', { authorization: `Bearer ${world.user.token}x` }],
      ['no-scheme', { authorization: world.user.token }],
    ]
    if (base.op.admin)
      headers.push(['user-on-admin-route', { authorization: `Bearer ${world.user.token}` }])
    return fc
      .constantFrom(...headers)
      .map(([label, h]) => request(base, `identity:${label}`, { token: null, headers: h }))
  }

/** Another user's booking, order or upload: 404, never its contents. */
const foreignId =
  (world: FuzzWorld, resource: keyof FuzzWorld['foreign']): Maker =>
  (base) =>
    fc.constant(
      request(base, 'identity:foreign-resource', {
        url: fill(base.op.path, { ...base.ids, id: String(world.foreign[resource]) }),
        token: world.user.token,
      }),
    )

const badPath =
  (param: Parameter): Maker =>
  (base) => {
    const valid = Number(base.ids[param.name])
    const texts: [string, string][] = [
      // An empty segment is another route (`/api/bookings/` is the list), not a malformed id; so is
      // `%2E%2E`, a dot-dot segment every URL parser resolves before sending (`/api/docs/assets/..`
      // is the public page `/api/docs/`, a 200).
      ...badIntegerTexts(param.schema)
        .filter(([l]) => l !== 'empty')
        .map(([l, v]): [string, string] => [`path.${param.name}:${l}`, v]),
      [`path.${param.name}:encoded-slash`, `${valid}%2F1`],
      [`path.${param.name}:missing-row`, '9007199254740991'],
      [`path.${param.name}:missing-row`, '2147483648'],
    ]
    return fc
      .constantFrom(...texts)
      .map(([label, text]) =>
        request(base, label, { url: fill(base.op.path, { ...base.ids, [param.name]: text }) }),
      )
  }

function badQueryTexts(param: Parameter): [string, string][] {
  const s = param.schema
  const types = typesOf(s)
  if (types.includes('integer')) return badIntegerTexts(s)
  if (s.enum) {
    const first = String(s.enum[0])
    return [
      ['not-in-enum', 'bogus'],
      ['upper-case', first.toUpperCase()],
      ['padded', `${first}%20`],
      ['nul', `${first}%00`],
      ['list', `${first},${String(s.enum[1] ?? first)}`],
      ['empty', ''],
    ]
  }
  if (s.format === 'date-time') {
    return BAD_DATE_TIMES.map((v): [string, string] => [
      `bad-date-time:${v}`,
      encodeURIComponent(v),
    ])
  }
  const junk: [string, string][] = [
    ['junk', 'abc'],
    ['junk-base64', Buffer.from('{"page":1}').toString('base64url')],
    ['invalid-utf8', '%FF%FE'],
    ['nul', '%00'],
  ]
  if (s.maxLength !== undefined) junk.push(['too-long', 'a'.repeat(s.maxLength + 1)])
  if (param.name === 'cursor') junk.push(...FORGED_CURSORS)
  return junk
}

/** Cursors shaped like the API's ([page, sort value, id]) holding values no list can take. */
const FORGED_CURSORS: [string, string][] = [
  ['huge-sort', [1, -1e300, 1]],
  ['zero-page', [0, 1, 1]],
  ['unsafe-id', [1, 1, 2 ** 63]],
  ['negative-id', [1, 1, -1]],
  ['fraction-sort', [1, 1.5, 1]],
  ['year-zero', [1, '0000-01-01T00:00:00.000Z', 1]],
  ['infinity', [1, 'infinity', 1]],
  ['offset-instant', [1, '2031-01-01T10:00:00+02:00', 1]],
  ['nul-sort', [1, 'a\u0000b', 1]],
].map(([label, triple]) => [
  `forged-cursor:${label}`,
  Buffer.from(JSON.stringify(triple)).toString('base64url'),
])

const badQuery =
  (param: Parameter): Maker =>
  (base) =>
    fc.constantFrom(...badQueryTexts(param)).chain(([label, text]) =>
      fc.boolean().map((twice) => {
        const rest = base.query.filter(([k]) => k !== param.name)
        // Sent twice, the parameter is malformed whatever the second value.
        const pairs: [string, string][] = twice
          ? [
              [param.name, '1'],
              [param.name, text],
            ]
          : [[param.name, text]]
        return request(base, `query.${param.name}:${label}${twice ? ':repeated' : ''}`, {
          query: [...rest, ...pairs],
        })
      }),
    )

/** A valid id or page number in a form other than plain digits (0x1, 1e0, +1, " 1"). */
const lenientNumber =
  (param: Parameter): Maker =>
  (base) => {
    const n = param.in === 'path' ? Number(base.ids[param.name]) : 1
    return fc.constantFrom(...lenientIntegerTexts(n)).map(([label, text]) =>
      param.in === 'path'
        ? request(base, `path.${param.name}:${label}`, {
            url: fill(base.op.path, { ...base.ids, [param.name]: text }),
          })
        : request(base, `query.${param.name}:${label}`, {
            query: [...base.query.filter(([k]) => k !== param.name), [param.name, text]],
          }),
    )
  }

const badIdempotencyKey = (): Maker => (base) =>
  fc
    .constantFrom<[string, string]>(
      ['empty', ''],
      ['space-inside', 'a b'],
      ['too-long', 'k'.repeat(256)],
    )
    .map(([label, key]) =>
      request(base, `header.idempotency-key:${label}`, { headers: { 'idempotency-key': key } }),
    )

/** A `Range` no upload can satisfy: 416. */
const unsatisfiableRange = (): Maker => (base) =>
  fc.constant(
    request(base, 'header.range:unsatisfiable', { headers: { range: 'bytes=999999999-' } }),
  )

// ---- JSON bodies -------------------------------------------------------------------------------

/** A body that breaks its schema in one labelled way, with every other field valid. */
function brokenObjects(
  schema: Schema,
  base: Record<string, unknown>,
): fc.Arbitrary<{ label: string; text: string }> {
  const props = schema.properties ?? {}
  const options: { label: string; text: string }[] = []
  const withValue = (name: string, bad: Bad) => ({
    label: `body.${name}:${bad.label}`,
    text: jsonText({ ...base, [name]: bad.raw === undefined ? bad.value : '__raw__' }, bad.raw),
  })
  for (const name of schema.required ?? []) {
    const { [name]: _, ...rest } = base
    options.push({ label: `body.${name}:missing`, text: JSON.stringify(rest) })
  }
  for (const [name, prop] of Object.entries(props)) {
    for (const bad of [...wrongTypes(prop), ...outOfRange(prop, name)])
      options.push(withValue(name, bad))
    const item = prop.items
    if (item?.properties && Array.isArray(base[name]) && (base[name] as unknown[]).length > 0) {
      const line = (base[name] as Record<string, unknown>[])[0]!
      for (const [inner, innerSchema] of Object.entries(item.properties)) {
        for (const bad of [...wrongTypes(innerSchema), ...outOfRange(innerSchema, inner)]) {
          const broken = { ...line, [inner]: bad.raw === undefined ? bad.value : '__raw__' }
          options.push({
            label: `body.${name}[].${inner}:${bad.label}`,
            text: jsonText({ ...base, [name]: [broken] }, bad.raw),
          })
        }
        const { [inner]: _, ...rest } = line
        if (item.required?.includes(inner)) {
          options.push({
            label: `body.${name}[].${inner}:missing`,
            text: JSON.stringify({ ...base, [name]: [rest] }),
          })
        }
      }
      if (item.additionalProperties === false) {
        options.push({
          label: `body.${name}[]:extra-property`,
          text: JSON.stringify({ ...base, [name]: [{ ...line, price_cents: 0 }] }),
        })
      }
      if (prop.maxItems !== undefined) {
        options.push({
          label: `body.${name}:too-many-items`,
          text: JSON.stringify({ ...base, [name]: Array(prop.maxItems + 1).fill(line) }),
        })
      }
    }
  }
  if (schema.additionalProperties === false) {
    const extra = (key: string, value: string) =>
      `{${JSON.stringify(key)}:${value}${Object.keys(base).length ? ',' : ''}${JSON.stringify(base).slice(1)}`
    options.push({ label: 'body:extra-property:role', text: extra('role', '"admin"') })
    options.push({
      label: 'body:extra-property:__proto__',
      text: extra('__proto__', '{"role":"admin"}'),
    })
    options.push({ label: 'body:extra-property:id', text: extra('id', '1') })
  }
  if (
    'start_datetime' in props &&
    'end_datetime' in props &&
    typeof base.start_datetime === 'string'
  ) {
    const start = Date.parse(base.start_datetime)
    const at = (ms: number) => new Date(ms).toISOString()
    const slot = (label: string, s: string, e: string) =>
      options.push({
        label: `body:slot:${label}`,
        text: JSON.stringify({ ...base, start_datetime: s, end_datetime: e }),
      })
    slot('ends-before-start', at(start), at(start - 3_600_000))
    slot('zero-length', at(start), at(start))
    slot('longer-than-24h', at(start), at(start + 25 * 3_600_000))
    slot('seconds', at(start + 30_000), at(start + 3_630_000))
    slot('in-the-past', '2001-01-01T10:00:00Z', '2001-01-01T11:00:00Z')
    if (Array.isArray(base.items) && base.items.length > 0) {
      options.push({
        label: 'body:items:duplicate-item',
        text: JSON.stringify({ ...base, items: [base.items[0], base.items[0]] }),
      })
    }
  }
  if ('starts_on' in props && 'ends_on' in props) {
    options.push({
      label: 'body:period:ends-before-starts',
      text: JSON.stringify({ ...base, starts_on: '2031-03-31', ends_on: '2031-01-06' }),
    })
  }
  for (const [label, root] of [
    ['array', [base]],
    ['string', 'x'],
    ['number', 1],
    ['null', null],
    ['true', true],
  ] as const) {
    options.push({ label: `body:root-${label}`, text: JSON.stringify(root) })
  }
  return fc.constantFrom(...options)
}

const brokenBody = (): Maker => (base) =>
  brokenObjects(base.op.body!.schema, base.body ?? {}).map(({ label, text }) =>
    request(base, label, { body: { kind: 'bytes', bytes: utf8(text), contentType: JSON_TYPE } }),
  )

const brokenSyntax = (): Maker => (base) => {
  const text = JSON.stringify(base.body ?? {})
  return fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).chain((cut) =>
    fc
      .constantFrom<[string, string]>(
        ['truncated', text.slice(0, cut)],
        ['trailing-comma', `${text.slice(0, -1)},}`],
        ['single-quotes', text.replaceAll('"', "'")],
        ['unquoted-keys', text.replace(/"([a-z_]+)":/g, '$1:')],
        ['nan', '{"a":NaN}'],
        ['comment', `/* hi */${text}`],
        ['two-documents', `${text}${text}`],
        ['empty', ''],
        ['whitespace', ' \n\t '],
        ['deep-nesting', '['.repeat(100_000)],
        ['deep-object', '{"a":'.repeat(20_000)],
        ['control-character', text.replace('"', '"\u0001')],
      )
      .map(([label, body]) =>
        request(base, `syntax:${label}`, {
          body: { kind: 'bytes', bytes: utf8(body), contentType: JSON_TYPE },
        }),
      ),
  )
}

/** The valid JSON, but declared as something else (or not declared): 415. */
const wrongContentType = (): Maker => (base) => {
  const text = JSON.stringify(base.body ?? {})
  const form = new URLSearchParams(
    Object.entries(base.body ?? {}).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  ).toString()
  return fc
    .constantFrom<[string, string, string | undefined]>(
      ['text-plain', text, 'text/plain'],
      ['text-json', text, 'text/json'],
      ['form-urlencoded', form, 'application/x-www-form-urlencoded'],
      ['multipart', text, 'multipart/form-data; boundary=x'],
      ['xml', `<venue>${text}</venue>`, 'application/xml'],
      ['missing', text, undefined],
    )
    .map(([label, body, type]) =>
      request(base, `content-type:${label}`, {
        body: { kind: 'bytes', bytes: utf8(body), contentType: type },
      }),
    )
}

/** The valid JSON in bytes that are not UTF-8 JSON. */
const badEncoding = (): Maker => (base) => {
  const text = JSON.stringify(base.body ?? {})
  const utf16 = (le: boolean, bom: boolean) => {
    const units = Buffer.from(`${bom ? '\ufeff' : ''}${text}`, 'utf16le')
    if (!le) units.swap16()
    return new Uint8Array(units)
  }
  const spliced = (bytes: number[]) => {
    const raw = utf8(text)
    const out = new Uint8Array(raw.length + bytes.length)
    out.set(raw.subarray(0, 1))
    out.set(bytes, 1)
    out.set(raw.subarray(1), 1 + bytes.length)
    return out
  }
  return fc
    .constantFrom<[string, Uint8Array]>(
      ['utf16le-bom', utf16(true, true)],
      ['utf16le', utf16(true, false)],
      ['utf16be-bom', utf16(false, true)],
      ['invalid-utf8-byte', spliced([0xff])],
      ['overlong-utf8', spliced([0xc0, 0xaf])],
      ['nul-byte', spliced([0x00])],
      ['lone-continuation-byte', spliced([0x80])],
    )
    .map(([label, bytes]) =>
      request(base, `encoding:${label}`, {
        body: { kind: 'bytes', bytes, contentType: JSON_TYPE },
      }),
    )
}

const oversize =
  (limits: FuzzLimits): Maker =>
  (base) =>
    fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean()).map(([extra, chunked]) =>
      request(base, `oversize:${chunked ? 'chunked' : 'content-length'}`, {
        body: {
          kind: 'oversize',
          bytes: limits.maxBodyBytes + extra,
          chunked,
          contentType: JSON_TYPE,
        },
      }),
    )

// ---- multipart uploads -------------------------------------------------------------------------

const badUpload =
  (limits: FuzzLimits): Maker =>
  (base) => {
    const png = () => uniquePng(`fuzz-${crypto.randomUUID()}`)
    const file = (bytes: Uint8Array, filename = 'photo.png', field = 'files'): Part => ({
      field,
      filename,
      contentType: 'image/png',
      bytes,
    })
    const big = new Uint8Array(limits.maxFileBytes + 1)
    big.set(png().subarray(0, 64))
    const cases: [string, () => BodySpec][] = [
      [
        'json-instead',
        () => ({ kind: 'bytes', bytes: utf8('{"files":[]}'), contentType: JSON_TYPE }),
      ],
      ['no-content-type', () => ({ kind: 'bytes', bytes: utf8(`--${BOUNDARY}\r\n`) })],
      [
        'no-files',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [{ field: 'note', bytes: utf8('hello') }],
        }),
      ],
      [
        'wrong-field',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(png(), 'photo.png', 'file')],
        }),
      ],
      [
        'text-as-png',
        () => ({ kind: 'multipart', boundary: BOUNDARY, parts: [file(utf8('just some text'))] }),
      ],
      [
        'html-as-png',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(utf8('<html><script>alert(1)</script></html>'))],
        }),
      ],
      [
        'svg',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(utf8('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x.svg')],
        }),
      ],
      [
        'elf-binary',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(64).fill(0)]))],
        }),
      ],
      [
        'empty-file',
        () => ({ kind: 'multipart', boundary: BOUNDARY, parts: [file(new Uint8Array(0))] }),
      ],
      [
        'truncated',
        () => ({ kind: 'multipart', boundary: BOUNDARY, parts: [file(png())], truncateAt: 90 }),
      ],
      [
        'boundary-mismatch',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(png())],
          contentType: 'multipart/form-data; boundary=another',
        }),
      ],
      [
        'no-boundary',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: [file(png())],
          contentType: 'multipart/form-data',
        }),
      ],
      [
        'too-many-files',
        () => ({
          kind: 'multipart',
          boundary: BOUNDARY,
          parts: Array.from({ length: limits.maxFiles + 1 }, () => file(png())),
        }),
      ],
      ['file-too-large', () => ({ kind: 'multipart', boundary: BOUNDARY, parts: [file(big)] })],
    ]
    return fc
      .constantFrom(...cases)
      .map(([label, body]) => request(base, `upload:${label}`, { body: body() }))
  }

// ---- assembling --------------------------------------------------------------------------------

function validQuery(op: Operation, ctx: ValueContext): fc.Arbitrary<[string, string][]> {
  const params = op.params.filter((p) => p.in === 'query' && p.name !== 'cursor')
  if (params.length === 0) return fc.constant([])
  return fc
    .tuple(...params.map((p) => fc.option(validValue(p.schema, p.name, ctx), { nil: undefined })))
    .map((values) =>
      params.flatMap((p, i): [string, string][] =>
        values[i] === undefined ? [] : [[p.name, encodeURIComponent(String(values[i]))]],
      ),
    )
}

function baseOf(op: Operation, world: FuzzWorld): fc.Arbitrary<Base> {
  const ctx: ValueContext = { world, path: op.path }
  const ids: Record<string, string> = {}
  for (const p of op.params) if (p.in === 'path') ids[p.name] = String(pathId(op.path, world))
  const token = op.admin
    ? fc.constant(world.admin.token)
    : op.secured
      ? fc.constantFrom(world.user.token, world.user.token, world.admin.token)
      : fc.constantFrom<string | undefined>(undefined, world.user.token)
  const body =
    op.body?.contentType === JSON_TYPE ? validObject(op.body.schema, ctx) : fc.constant(undefined)
  return fc.record({ query: validQuery(op, ctx), token, body }).map((parts) => ({
    op,
    path: fill(op.path, ids),
    ids,
    ...parts,
  }))
}

/**
 * `strict`: every defect but lenient numbers; `lenient-numbers`: only those (0x1 for an id), which
 * JavaScript's Number() reads as valid, so they are judged apart.
 */
export type DefectSet = 'strict' | 'lenient-numbers'

/** Ids and page numbers: integers, or (as the document now writes them) strings of digits. */
const isInteger = (p: Parameter) =>
  typesOf(p.schema).includes('integer') || p.schema.pattern === '^[0-9]+$'

/** Every way this operation can be sent malformed, weighted towards the richest (bodies). */
function makersFor(
  op: Operation,
  world: FuzzWorld,
  limits: FuzzLimits,
  set: DefectSet,
): { arbitrary: Maker; weight: number }[] {
  if (set === 'lenient-numbers') {
    return op.params
      .filter((p) => p.in !== 'header' && isInteger(p))
      .map((p) => ({ arbitrary: lenientNumber(p), weight: 1 }))
  }
  const makers: { arbitrary: Maker; weight: number }[] = []
  if (WRITE_METHODS.some((m) => !op.pathMethods.includes(m)))
    makers.push({ arbitrary: wrongMethod(), weight: 1 })
  if (op.secured) makers.push({ arbitrary: badIdentity(world), weight: 2 })
  const owned = /^\/api\/(bookings|rack-orders|uploads)\/\{id\}/.exec(op.path)?.[1] as
    keyof FuzzWorld['foreign'] | undefined
  if (owned) makers.push({ arbitrary: foreignId(world, owned), weight: 1 })
  for (const p of op.params) {
    if (p.in === 'path') makers.push({ arbitrary: badPath(p), weight: 2 })
    if (p.in === 'query') makers.push({ arbitrary: badQuery(p), weight: 1 })
    if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')
      makers.push({ arbitrary: badIdempotencyKey(), weight: 1 })
  }
  if (op.responses.includes('416')) makers.push({ arbitrary: unsatisfiableRange(), weight: 1 })
  if (op.body?.contentType === JSON_TYPE) {
    makers.push({ arbitrary: brokenBody(), weight: 6 })
    makers.push({ arbitrary: brokenSyntax(), weight: 2 })
    makers.push({ arbitrary: wrongContentType(), weight: 1 })
    makers.push({ arbitrary: badEncoding(), weight: 1 })
    makers.push({ arbitrary: oversize(limits), weight: 1 })
  }
  if (op.body?.contentType.startsWith('multipart/'))
    makers.push({ arbitrary: badUpload(limits), weight: 4 })
  return makers
}

/**
 * Malformed requests for every operation of the document: each is a valid request (valid ids of
 * the fuzzer's own rows, valid fields, the right credentials) with one thing broken.
 */
export function malformedRequests(
  operations: Operation[],
  world: FuzzWorld,
  limits: FuzzLimits,
  set: DefectSet = 'strict',
): Map<string, { arbitrary: fc.Arbitrary<FuzzRequest>; ways: number }> {
  const byOperation = new Map<string, { arbitrary: fc.Arbitrary<FuzzRequest>; ways: number }>()
  for (const op of operations) {
    const makers = makersFor(op, world, limits, set)
    if (makers.length === 0) continue
    byOperation.set(op.key, {
      arbitrary: baseOf(op, world).chain((base) =>
        fc.oneof(
          ...makers.map(({ arbitrary, weight }) => ({ arbitrary: arbitrary(base), weight })),
        ),
      ),
      ways: makers.length,
    })
  }
  return byOperation
}
