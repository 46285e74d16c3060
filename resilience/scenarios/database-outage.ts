import { api, bearer } from '../lib/api'
import { startLoad, startProbe, type Call, type Sample } from '../lib/load'
import { check, type ScenarioResult } from '../lib/outcome'
import { startOwnPostgres } from '../lib/own-postgres'
import { knownCause } from '../lib/known-causes'
import { logTail, startSuiteServer, stopServer } from '../lib/server'
import { latency, ms, started, statusCounts } from '../lib/stats'
import { bookingBody, buildWorld, pick, slotMaker } from '../lib/world'
import type { SuiteContext } from '../context'

const OUTAGE_MS = 10_000
const CONNECT_TIMEOUT_SECONDS = 2
const RECOVERY_TARGET_MS = 5_000
const WORKERS = 12

/** Ops that need the database on every request (the venue read may come from the cache). */
const needsDatabase = (op: string) => op !== 'get-venue'

/** What the server logged about each failed request: its message and the error's code. */
function serverErrorsById(log: string): Map<string, string> {
  const byId = new Map<string, string>()
  for (const line of log.split('\n')) {
    if (!line.includes('"request_id"') || !line.includes('"err"')) continue
    try {
      const entry = JSON.parse(line) as {
        msg?: string
        request_id?: string
        err?: { type?: string; message?: string; code?: string }
      }
      if (!entry.request_id) continue
      const err = entry.err ?? {}
      const message = (err.message ?? '').split('\n').pop()?.slice(0, 200)
      byId.set(entry.request_id, `${entry.msg}: ${err.type} ${err.code ?? ''} ${message}`.trim())
    } catch {
      // Not a JSON log line.
    }
  }
  return byId
}

/**
 * Stops a PostgreSQL cluster of our own for 10 s under load and starts it again: requests in the
 * outage fail fast with 503 problem+json, readiness turns 503, and the same process recovers.
 */
export async function databaseOutage(ctx: SuiteContext): Promise<ScenarioResult> {
  const began = performance.now()
  const pg = await startOwnPostgres()
  ctx.cleanup(() => pg.destroy())
  const server = await startSuiteServer({
    DATABASE_URL: pg.url,
    DB_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_SECONDS),
  })
  ctx.cleanup(() => server.cleanup())
  const pid = server.proc.pid
  const client = api(server.url)
  const world = await buildWorld(client, { users: 4, venues: 4, rentals: 0, merch: 0, stock: 0 })
  const nextSlot = slotMaker(world.venues)

  const next = (): Call => {
    const user = pick(world.users)
    const roll = Math.random()
    if (roll < 0.35) {
      return {
        op: 'list-bookings',
        method: 'GET',
        path: '/api/bookings?page_size=10',
        headers: bearer(user.token),
      }
    }
    if (roll < 0.6) {
      const slot = nextSlot()
      return {
        op: 'create-booking',
        method: 'POST',
        path: '/api/bookings',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        body: bookingBody(slot),
      }
    }
    if (roll < 0.8) {
      return {
        op: 'admin-bookings',
        method: 'GET',
        path: '/api/admin/bookings?page_size=10',
        headers: bearer(world.admin.token),
      }
    }
    return { op: 'get-venue', method: 'GET', path: `/api/venues/${pick(world.venues).id}` }
  }

  const load = startLoad(server.url, {
    workers: WORKERS,
    next,
    durationMs: 60_000,
    timeoutMs: 20_000,
  })
  const ready = startProbe(
    server.url,
    { op: 'ready', method: 'GET', path: '/api/health/ready' },
    100,
  )
  const live = startProbe(server.url, { op: 'live', method: 'GET', path: '/api/health' }, 250)
  await Bun.sleep(3000)

  ctx.log('outage: stopping PostgreSQL')
  const stopBegin = performance.now()
  await pg.stop()
  const stopEnd = performance.now()
  await Bun.sleep(OUTAGE_MS)
  const startBegin = performance.now()
  await pg.start()
  const startEnd = performance.now()
  ctx.log(`outage: PostgreSQL back after ${ms(startEnd - stopBegin)} ms`)
  await Bun.sleep(8000)

  const samples = await load.stop()
  const readySamples = await ready.stop()
  const liveSamples = await live.stop()
  const aliveAtEnd = server.proc.exitCode === null && server.proc.pid === pid
  const exit = await stopServer(server)
  const crashLog = aliveAtEnd ? [] : logTail(server)

  const fine = (s: Sample) => s.status >= 200 && s.status < 300
  const before = samples.filter((s) => s.end < stopBegin)
  // Every request the outage touched: answered after the stop began, sent before the start ended.
  const outage = samples.filter((s) => s.end >= stopBegin && s.start < startEnd)
  // Answered while it was down for certain: a request still waiting when it came back may succeed.
  const whileDown = (list: Sample[]) =>
    started(list, stopEnd, startBegin).filter((s) => s.end <= startBegin)
  const down = whileDown(samples).filter((s) => needsDatabase(s.op))
  const after = started(samples, startEnd, Infinity).filter((s) => needsDatabase(s.op))
  const outageBad = outage.filter((s) => !fine(s) && !(s.status === 503 && s.problem))
  const slowest = Math.max(0, ...outage.map((s) => s.end - s.start))
  const serverErrors = samples.filter((s) => s.status >= 500 && s.status !== 503).length
  const noAnswer = samples.filter((s) => s.status === 0).length

  // Recovered at the first success after which no database request failed again.
  const lastFailure = after.filter((s) => !fine(s)).sort((a, b) => b.start - a.start)[0]
  const firstGood = after
    .filter((s) => fine(s) && (!lastFailure || s.start > lastFailure.start))
    .sort((a, b) => a.end - b.end)[0]
  const recoveryMs = firstGood ? firstGood.end - startEnd : Infinity
  const lateFailures = after.filter((s) => !fine(s)).sort((a, b) => a.start - b.start)
  const errorsById = serverErrorsById(server.output())
  const describeFailure = (s: Sample) => ({
    op: s.op,
    sent_ms_after_start: ms(s.start - startEnd),
    took_ms: ms(s.end - s.start),
    status: s.status || s.error,
    body: s.body,
    server_log: s.requestId ? errorsById.get(s.requestId) : undefined,
  })
  const readyDown = whileDown(readySamples)
  const readyAfter = started(readySamples, startEnd, Infinity)
  const firstReady = readyAfter.find((s) => s.status === 200)
  const readyRecoveryMs = firstReady ? firstReady.end - startEnd : Infinity
  const first503 = started(readySamples, stopBegin, Infinity).find((s) => s.status === 503)
  const liveDuring = started(liveSamples, stopBegin, startEnd)

  // The first refused connection dates the death; every later miss follows from it.
  const refused = samples
    .filter((s) => s.error === 'ECONNREFUSED')
    .sort((a, b) => a.start - b.start)[0]
  const crashNote = () =>
    [
      refused
        ? `The server process died ${ms(refused.start - stopBegin)} ms after the stop began; the other misses follow from that.`
        : 'The server process died.',
      knownCause(crashLog) ?? 'Its last log lines are below.',
    ].join(' ')

  const checks = [
    check(
      'baseline before the outage',
      'every request 2xx',
      `${before.filter(fine).length}/${before.length} 2xx`,
      before.length > 0 && before.every(fine),
    ),
    check(
      'answers while the database is down',
      '2xx (cache) or 503 problem+json, nothing else',
      outageBad.length === 0
        ? `all ${outage.length} ok (${JSON.stringify(statusCounts(outage))})`
        : `${outageBad.length} other answers: ${JSON.stringify(statusCounts(outageBad))}`,
      outage.length > 0 && outageBad.length === 0,
    ),
    check(
      'database requests failing while it is down',
      'all 503 problem+json',
      `${down.filter((s) => s.status === 503 && s.problem).length}/${down.length}`,
      down.length > 0 && down.every((s) => s.status === 503 && s.problem),
    ),
    check(
      'slowest request during the outage',
      `<= connect time-out ${CONNECT_TIMEOUT_SECONDS * 1000} ms`,
      `${ms(slowest)} ms`,
      slowest <= CONNECT_TIMEOUT_SECONDS * 1000,
    ),
    check(
      'readiness while the database is down',
      'every probe 503',
      `${readyDown.filter((s) => s.status === 503).length}/${readyDown.length} 503, first 503 ${first503 ? ms(first503.end - stopBegin) : '-'} ms after the stop began`,
      readyDown.length > 0 && readyDown.every((s) => s.status === 503),
    ),
    check(
      'liveness during the outage',
      'every probe 200',
      `${liveDuring.filter((s) => s.status === 200).length}/${liveDuring.length}`,
      liveDuring.length > 0 && liveDuring.every((s) => s.status === 200),
    ),
    check(
      'full recovery after the database returns (same process, no restart)',
      `<= ${RECOVERY_TARGET_MS} ms`,
      Number.isFinite(recoveryMs)
        ? `${ms(recoveryMs)} ms (readiness 200 after ${ms(readyRecoveryMs)} ms)`
        : 'never',
      recoveryMs <= RECOVERY_TARGET_MS && readyRecoveryMs <= RECOVERY_TARGET_MS && aliveAtEnd,
    ),
    check(
      'no crash',
      'server alive throughout, no 5xx but 503, no dropped connection',
      `alive ${aliveAtEnd}, other 5xx ${serverErrors}, no answer ${noAnswer}`,
      aliveAtEnd && serverErrors === 0 && noAnswer === 0,
      aliveAtEnd ? undefined : crashNote(),
    ),
  ]
  return {
    key: 'database-outage',
    title: 'Database outage: PostgreSQL stopped for 10 s under load',
    command: ctx.command,
    seconds: Math.round((performance.now() - began) / 1000),
    checks,
    figures: {
      postgres: pg.version,
      workers: WORKERS,
      db_connect_timeout_seconds: CONNECT_TIMEOUT_SECONDS,
      outage_ms: ms(startBegin - stopEnd),
      pg_ctl_stop_ms: ms(stopEnd - stopBegin),
      pg_ctl_start_ms: ms(startEnd - startBegin),
      requests_total: samples.length,
      before: { ...latency(before), statuses: statusCounts(before) },
      outage: { ...latency(outage), statuses: statusCounts(outage) },
      after: { ...latency(after), statuses: statusCounts(after) },
      database_down: { ...latency(down), statuses: statusCounts(down) },
      readiness_while_down: statusCounts(readyDown),
      outage_503_with_retry_after: outage.filter((s) => s.status === 503 && s.retryAfter).length,
      recovery_ms: Number.isFinite(recoveryMs) ? ms(recoveryMs) : null,
      readiness_recovery_ms: Number.isFinite(readyRecoveryMs) ? ms(readyRecoveryMs) : null,
      readiness_probes: readySamples.length,
      failures_after_return: lateFailures.slice(0, 10).map(describeFailure),
      exit_code: exit.code,
    },
    notes: [
      `The database is a throwaway cluster (initdb + pg_ctl on port ${pg.port}), stopped with ` +
        'pg_ctl -m fast; the outage counts from the stop command to pg_ctl start returning.',
      'Venue reads may be answered from the cache while the database is down; they count as ' +
        'fine. Every other request needs the database.',
      ...crashLog.map((line) => `server log before it died: ${line}`),
    ],
  }
}
