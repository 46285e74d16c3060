/**
 * The ceiling the app is measured against: a bare Bun.serve + postgres.js server answering the
 * benchmark's paths with the same JSON, running the app's own SQL text (recorded from its query
 * builders by bench/lib/ceiling-sql.ts) as the app runs it (prepared statements, but for a date
 * range's, which are planned per run) on a pool of the same size.
 *
 * It does only what the benchmark's requests need and nothing the app does around the query:
 * no JWT verification (the token's subject is read unverified, each user's role once), no
 * validation, no middleware
 * (request id, access log, metrics, CORS, security headers, memory guard, body limit,
 * compression, cache). The gap between the two is that overhead.
 *
 * Run by bench/run.ts: DATABASE_URL, DB_POOL_SIZE, DB_MAX_OVERFLOW, PORT, HOST.
 */
import postgres from 'postgres'
import { venueCents } from '../src/services/bookings/pricing'
import { recordCeilingSql, type CeilingSql } from './lib/ceiling-sql'
import type { Template } from './lib/recorded-sql'

type Row = Record<string, unknown>

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
const max = Number(process.env.DB_POOL_SIZE ?? 3) + Number(process.env.DB_MAX_OVERFLOW ?? 3)
const q: CeilingSql = await recordCeilingSql(url)
const sql = postgres(url, {
  max,
  onnotice: () => {},
  // int8 ids and counts as numbers, as the app's bigint({ mode: 'number' }) columns read them.
  types: { int8: { to: 20, from: [20], serialize: String, parse: Number } },
})
type Db = Pick<typeof sql, 'unsafe'>
const run = (t: Template, values: Record<string, unknown>, db: Db = sql, prepare = true) =>
  db.unsafe<Row[]>(t.text, t.bind(values) as postgres.ParameterOrJSON<never>[], { prepare })
/** As the app runs a date range's page and count: unnamed, planned for its values on each run. */
const perRun = (t: Template, values: Record<string, unknown>) => run(t, values, sql, false)
const startedAt = Date.now()

// The app's reads select instants as RFC 3339 text already; a write returns the timestamptz.
const iso = (d: unknown) => (typeof d === 'string' ? d : (d as Date).toISOString())
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
const notFound = () => json({ status: 404, title: 'Not Found' }, 404)

const item = (i: Row) => ({
  id: i.id,
  item_id: i.item_id,
  quantity: i.quantity,
  unit_price_cents: i.unit_price_cents,
})
const booking = (b: Row, items: Row[]) => ({
  id: b.id,
  user_id: b.user_id,
  venue_id: b.venue_id,
  kind: b.kind,
  program_id: b.program_id,
  start_datetime: iso(b.start_datetime),
  end_datetime: iso(b.end_datetime),
  status: b.status,
  total_cents: b.total_cents,
  notes: b.notes,
  items: items.map(item),
  created_at: iso(b.created_at),
  updated_at: iso(b.updated_at),
})
const venue = (v: Row) => ({
  id: v.id,
  name: v.name,
  description: v.description,
  capacity: v.capacity,
  hourly_price_cents: v.hourly_price_cents,
  timezone: v.timezone,
  is_active: v.is_active,
  created_at: iso(v.created_at),
  updated_at: iso(v.updated_at),
})

/** Each user's role, read once: the token carries none, and the benchmark changes none. */
const roles = new Map<number, Promise<string>>()
const roleOf = (id: number) => {
  let role = roles.get(id)
  if (!role) {
    role = sql<{ role: string }[]>`select role from users where id = ${id}`.then((r) => r[0]!.role)
    roles.set(id, role)
  }
  return role
}

/** The token's subject, unverified: the ceiling measures the work around the query, not auth. */
function claims(req: Request): { id: number } {
  const token = req.headers.get('authorization')?.split(' ')[1] ?? ''
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
  return { id: Number(payload.sub) }
}

async function withItems(rows: Row[], size: number) {
  const page = rows.slice(0, size)
  const byBooking = new Map<unknown, Row[]>()
  if (page.length > 0) {
    const ids = `{${page.map((b) => b.id).join(',')}}`
    for (const i of await run(q.itemsOfBookings, { ids })) {
      const list = byBooking.get(i.booking_id)
      if (list) list.push(i)
      else byBooking.set(i.booking_id, [i])
    }
  }
  return rows.map((b) => booking(b, byBooking.get(b.id) ?? []))
}

interface Paging {
  page: number
  size: number
  after?: [string | number, number]
  /** A cursor page's total and whether it is a lower bound, carried from the first page. */
  carried?: [number, 0 | 1]
}

function paging(params: URLSearchParams): Paging {
  const size = Number(params.get('page_size') ?? 50)
  const cursor = params.get('cursor')
  if (cursor) {
    const [page, sort, id, total, gte] = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    return { page, size, after: [sort, id], carried: [total, gte] }
  }
  return { page: Number(params.get('page') ?? 1), size }
}

/** The app's bound on exact totals (PAGINATION_EXACT_TOTAL_MAX's default). */
const EXACT_TOTAL_MAX = 10_000

/** A count's one value, whatever the statement names its column. */
const countOf = (rows: Row[]) => Number(Object.values(rows[0] ?? {})[0] ?? 0)

/** The count a page runs: none on a cursor page, which carries the first page's total. */
const countFor = (p: Paging, t: Template, values: Record<string, unknown>, send = run) =>
  p.after ? Promise.resolve(undefined) : send(t, values).then(countOf)

/** The app's page envelope and Link header around `rows` (size + 1 of them at most). */
function envelope<T>(
  reqUrl: URL,
  p: Paging,
  rows: T[],
  counted: number | undefined,
  key: (row: T) => [string | number, number],
) {
  const [total, gte] =
    p.carried ?? (counted! <= EXACT_TOTAL_MAX ? [counted!, 0] : [EXACT_TOTAL_MAX, 1])
  const hasNext = rows.length > p.size
  const items = hasNext ? rows.slice(0, p.size) : rows
  const last = items.at(-1)
  const next =
    hasNext && last
      ? Buffer.from(JSON.stringify([p.page + 1, ...key(last), total, gte])).toString('base64url')
      : null
  const headers: Record<string, string> = {}
  if (next) {
    const link = new URL(reqUrl)
    link.searchParams.delete('page')
    link.searchParams.set('cursor', next)
    link.searchParams.set('page_size', String(p.size))
    headers.link = `<${link.pathname}${link.search}>; rel="next"`
  }
  const body = {
    items,
    pagination: {
      page: p.page,
      page_size: p.size,
      total,
      total_relation: gte ? 'gte' : 'eq',
      total_pages: Math.ceil(total / p.size),
      has_next: hasNext,
      has_prev: p.page > 1,
      next_cursor: next,
    },
  }
  return json(body, 200, headers)
}

async function bookingById(req: Request, id: number) {
  const viewer = claims(req)
  const [[b], role] = await Promise.all([run(q.bookingById, { id }), roleOf(viewer.id)])
  if (!b || (role !== 'admin' && b.user_id !== viewer.id)) return notFound()
  return json(booking(b, await run(q.itemsOfBooking, { id })))
}

async function ownBookings(req: Request, reqUrl: URL) {
  const userId = claims(req).id
  const p = paging(reqUrl.searchParams)
  const [rows, count] = await Promise.all([
    run(q.ownPage, { userId, limit: p.size + 1 }),
    countFor(p, q.ownCount, { userId }),
  ])
  const page = await withItems(rows, p.size)
  return envelope(reqUrl, p, page, count, (b) => [b.id as number, b.id as number])
}

async function venues(reqUrl: URL) {
  const p = paging(reqUrl.searchParams)
  const [rows, count] = await Promise.all([
    run(q.venuesPage, { limit: p.size + 1 }),
    countFor(p, q.venuesCount, {}),
  ])
  return envelope(reqUrl, p, rows.map(venue), count, (v) => [v.id, v.id] as [
    number,
    number,
  ])
}

async function adminBookings(reqUrl: URL) {
  const params = reqUrl.searchParams
  const p = paging(params)
  const range = { from: params.get('from'), to: params.get('to') }
  const limit = p.size + 1
  const offset = (p.page - 1) * p.size
  const list = p.after
    ? perRun(q.adminCursorPage, { ...range, afterStart: p.after[0], afterId: p.after[1], limit })
    : offset > 0
      ? perRun(q.adminOffsetPage, { ...range, limit, offset })
      : perRun(q.adminPage, { ...range, limit })
  const [rows, count] = await Promise.all([list, countFor(p, q.adminCount, range, perRun)])
  const page = await withItems(rows, p.size)
  return envelope(reqUrl, p, page, count, (b) => [
    b.start_datetime,
    b.id as number,
  ])
}

async function createBooking(req: Request) {
  const userId = claims(req).id
  type NewBooking = { venue_id: number; start_datetime: string; end_datetime: string }
  const body = (await req.json()) as NewBooking
  const start = new Date(body.start_datetime)
  const end = new Date(body.end_datetime)
  const created = await sql.begin(async (tx) => {
    const [v] = await run(q.createVenue, { venueId: body.venue_id }, tx)
    if (!v?.is_active) return undefined
    const total = venueCents(v.hourly_price_cents as number, start, end)
    const values = {
      userId,
      venueId: body.venue_id,
      start: start.toISOString(),
      end: end.toISOString(),
      total,
    }
    const [row] = await run(q.createInsert, values, tx)
    return row
  })
  if (!created) return json({ status: 422, title: 'Unprocessable Content' }, 422)
  return json(booking(created, []), 201, { location: `/api/bookings/${created.id}` })
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: process.env.HOST ?? '127.0.0.1',
  async fetch(req) {
    const reqUrl = new URL(req.url)
    const path = reqUrl.pathname
    if (path === '/api/health') {
      return json({ status: 'ok', uptime_seconds: Math.round((Date.now() - startedAt) / 1000) })
    }
    if (path === '/api/bookings') {
      return req.method === 'POST' ? createBooking(req) : ownBookings(req, reqUrl)
    }
    if (path.startsWith('/api/bookings/')) return bookingById(req, Number(path.slice(14)))
    if (path === '/api/venues') return venues(reqUrl)
    if (path === '/api/admin/bookings') return adminBookings(reqUrl)
    return notFound()
  },
})

console.log(JSON.stringify({ msg: 'listening', port: server.port, pool: max }))
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.stop()
    await sql.end({ timeout: 5 })
    process.exit(0)
  })
}
