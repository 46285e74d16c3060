import { api, bearer } from '../lib/api'
import { send, startLoad, trickle, type Call, type Sample } from '../lib/load'
import { check, type ScenarioResult } from '../lib/outcome'
import { createScratchDatabase } from '../lib/scratch-database'
import { logTail, startSuiteServer, stopServer } from '../lib/server'
import { latency, ms, statusCounts } from '../lib/stats'
import { bookingBody, buildWorld, pick, slotMaker, type World } from '../lib/world'
import type { SuiteContext } from '../context'

const SHUTDOWN_TIMEOUT_SECONDS = 10
const WORKERS = 16
const SEEDED_BOOKINGS = 5_000
/** New sends pause this long before the signal, so each request counted was on the wire. */
const QUIET_MS = 100
/**
 * Clients that send a booking's body slowly, from before the quiet pause until well after the
 * signal: requests that are in flight at the signal whatever the server's speed.
 */
const SLOW_CLIENTS = 4
const SLOW_BODY_MS = 1000

/** Every NDJSON line parses and the export holds at least the seeded bookings: it was not cut. */
function wholeExport(status: number, body: string): string | undefined {
  if (status !== 200) return undefined
  if (!body.endsWith('\n')) return 'export ends mid-line'
  const lines = body.split('\n').filter(Boolean)
  if (lines.length < SEEDED_BOOKINGS) return `export has ${lines.length} lines`
  try {
    JSON.parse(lines[lines.length - 1]!)
  } catch {
    return 'last export line is not JSON'
  }
  return undefined
}

function shutdownCalls(world: World, nextSlot: ReturnType<typeof slotMaker>) {
  return (): Call => {
    const user = pick(world.users)
    const roll = Math.random()
    if (roll < 0.1) {
      return {
        op: 'export',
        method: 'GET',
        path: '/api/admin/bookings/export?format=ndjson',
        headers: bearer(world.admin.token),
        verify: wholeExport,
      }
    }
    if (roll < 0.35) {
      const slot = nextSlot()
      return {
        op: 'create-booking',
        method: 'POST',
        path: '/api/bookings',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        body: bookingBody(slot, { items: [{ item_id: pick(world.rentals).id, quantity: 1 }] }),
      }
    }
    if (roll < 0.55) {
      return {
        op: 'rack-order',
        method: 'POST',
        path: '/api/rack-orders',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ item_id: pick(world.merch).id, quantity: 1 }] }),
      }
    }
    if (roll < 0.7) {
      return {
        op: 'register',
        method: 'POST',
        path: '/api/auth/register',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `sigterm-${crypto.randomUUID()}@example.com`,
          password: 'a long enough password',
          name: 'Late user',
        }),
      }
    }
    return {
      op: 'list-bookings',
      method: 'GET',
      path: '/api/bookings?page_size=20',
      headers: bearer(user.token),
    }
  }
}

/**
 * SIGTERM while 16 clients stream reads, writes, password hashing and long exports: every request
 * sent before the signal gets its normal, complete answer, and the process exits 0 in time.
 */
export async function sigterm(ctx: SuiteContext): Promise<ScenarioResult> {
  const began = performance.now()
  const database = await createScratchDatabase()
  ctx.cleanup(() => database.drop())
  const server = await startSuiteServer({
    DATABASE_URL: database.url,
    SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
  })
  ctx.cleanup(() => server.cleanup())
  const client = api(server.url)
  const world = await buildWorld(client, {
    users: 4,
    venues: 4,
    rentals: 2,
    merch: 2,
    stock: 1_000_000,
  })
  // Enough history that an export streams for a while: the requests most likely to be cut.
  await database.sql`
    insert into bookings (user_id, venue_id, kind, start_datetime, end_datetime, status, total_cents)
    select ${world.users[0]!.id}, v.id, 'single', t, t + interval '1 hour', 'completed', 1500
    from generate_series(0, ${SEEDED_BOOKINGS - 1}) as i
    join lateral (select (${world.venues.map((v) => v.id)}::bigint[])[1 + i % ${world.venues.length}] as id) v on true
    cross join lateral (select timestamptz '2001-01-01' + (i / ${world.venues.length}) * interval '1 hour' as t) s`

  const nextSlot = slotMaker(world.venues)
  const slowBooking = (): Call => {
    const slot = nextSlot()
    const body = bookingBody(slot, { items: [{ item_id: pick(world.rentals).id, quantity: 1 }] })
    return {
      op: 'create-booking-slow-body',
      method: 'POST',
      path: '/api/bookings',
      headers: { ...bearer(pick(world.users).token), 'content-type': 'application/json' },
      body: trickle(body, SLOW_BODY_MS),
    }
  }
  const load = startLoad(server.url, {
    workers: WORKERS,
    next: shutdownCalls(world, nextSlot),
    durationMs: 60_000,
    timeoutMs: 30_000,
    keep: (op) => op === 'create-booking' || op === 'rack-order',
  })
  await Bun.sleep(3000)
  ctx.log('sigterm: sending SIGTERM under load')
  load.pause()
  const slow = Array.from({ length: SLOW_CLIENTS }, () =>
    send(server.url, slowBooking(), { timeoutMs: 30_000, keep: () => true }),
  )
  await Bun.sleep(QUIET_MS)
  const signalAt = performance.now()
  const exiting = stopServer(server, 'SIGTERM', (SHUTDOWN_TIMEOUT_SECONDS + 20) * 1000)
  load.resume()
  const exit = await exiting
  const samples = [...(await load.stop()), ...(await Promise.all(slow))]

  const before = samples.filter((s) => s.start < signalAt)
  const inFlight = before.filter((s) => s.end > signalAt)
  // A refused connection never reached the server (no listener when it arrived): not in flight.
  const refused = before.filter((s) => s.error === 'ECONNREFUSED')
  const failed = before.filter((s) => !s.expected && s.error !== 'ECONNREFUSED')
  const afterSignal = samples.filter((s) => s.start >= signalAt)
  const kept = (...ops: string[]) =>
    before
      .filter((s) => ops.includes(s.op) && s.expected && s.json)
      .map((s) => (s.json as { id: number }).id)
  const bookingIds = kept('create-booking', 'create-booking-slow-body')
  const orderIds = kept('rack-order')
  const [found] = await database.sql<{ bookings: number; orders: number }[]>`
    select (select count(*)::int from bookings where id in ${database.sql(bookingIds.length ? bookingIds : [0])}) as bookings,
           (select count(*)::int from rack_orders where id in ${database.sql(orderIds.length ? orderIds : [0])}) as orders`
  const log = server.output()
  const timedOut = log.includes('shutdown time-out reached')

  const describe = (s: Sample) =>
    `${s.op} sent ${ms(signalAt - s.start)} ms before the signal: ${s.status || s.error}${s.error && s.status ? ` (${s.error})` : ''}`
  const checks = [
    check(
      'requests sent before SIGTERM',
      'zero failed (each gets its normal, complete answer)',
      `${failed.length} failed of ${before.length}; ${inFlight.length} were in flight at the signal` +
        (refused.length ? `; ${refused.length} refused at connect (never reached the server)` : ''),
      failed.length === 0 && inFlight.length > 0,
      failed.length ? failed.slice(0, 5).map(describe).join('; ') : undefined,
    ),
    check(
      'exit',
      `code 0 within the shutdown time-out (${SHUTDOWN_TIMEOUT_SECONDS} s)`,
      `code ${exit.code} after ${ms(exit.ms)} ms${timedOut ? ' (time-out reached)' : ''}`,
      exit.code === 0 && !exit.killed && exit.ms <= SHUTDOWN_TIMEOUT_SECONDS * 1000,
    ),
    check(
      'acknowledged writes are stored',
      'every 201 booking and order is in the database',
      `bookings ${found!.bookings}/${bookingIds.length}, orders ${found!.orders}/${orderIds.length}`,
      found!.bookings === bookingIds.length && found!.orders === orderIds.length,
    ),
  ]
  const byOp = (list: Sample[]) =>
    Object.fromEntries(
      [...new Set(list.map((s) => s.op))]
        .sort()
        .map((op) => [op, statusCounts(list.filter((s) => s.op === op))]),
    )
  return {
    key: 'sigterm',
    title: 'SIGTERM during load',
    command: ctx.command,
    seconds: Math.round((performance.now() - began) / 1000),
    checks,
    figures: {
      workers: WORKERS,
      shutdown_timeout_seconds: SHUTDOWN_TIMEOUT_SECONDS,
      quiet_before_signal_ms: QUIET_MS,
      slow_body_clients: SLOW_CLIENTS,
      slow_body_ms: SLOW_BODY_MS,
      seeded_bookings_for_exports: SEEDED_BOOKINGS,
      requests_before_signal: before.length,
      in_flight_at_signal: inFlight.length,
      in_flight_by_op: byOp(inFlight),
      slowest_in_flight_ms: ms(Math.max(0, ...inFlight.map((s) => s.end - signalAt))),
      before_signal: { ...latency(before), by_op: byOp(before) },
      after_signal: { count: afterSignal.length, statuses: statusCounts(afterSignal) },
      exit_code: exit.code,
      exit_ms: ms(exit.ms),
    },
    notes: [
      `New requests are held back for the last ${QUIET_MS} ms before the signal, so every ` +
        "request counted as sent before it had reached the server's socket; in flight = sent " +
        'before the signal and answered after it. A connection refused at connect never reached ' +
        'the server, whenever it was sent; requests sent after the signal may be refused. ' +
        'Those are counted, not judged.',
      `${SLOW_CLIENTS} clients start a booking when new sends pause and send its JSON body ` +
        `chunked over ${SLOW_BODY_MS} ms, so some requests are in flight at the signal however ` +
        'fast the server answers the others; they must get 201 and be stored like the rest.',
      ...(exit.code === 0 ? [] : logTail(server).map((line) => `server log: ${line}`)),
    ],
  }
}
