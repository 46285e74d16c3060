import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { api, bearer, type Api } from '../lib/api'
import { startLoad, startProbe, type Call, type Sample } from '../lib/load'
import { check, type Check, type ScenarioResult } from '../lib/outcome'
import { createScratchDatabase } from '../lib/scratch-database'
import { knownCause } from '../lib/known-causes'
import { logTail, startSuiteServer, stopServer, type SuiteServer } from '../lib/server'
import { round } from '../../bench/lib/results'
import { latency, ms, started, statusCounts } from '../lib/stats'
import { bookingBody, buildWorld, pick, slotMaker } from '../lib/world'
import type { SuiteContext } from '../context'

const LIMIT_MB = 512
const INTERVAL_MS = 100
const MB = 1024 * 1024
const PHASE_MS = 4000
const WORKERS = 8
const ballastModule = join(import.meta.dir, '..', 'memory', 'ballast.ts')

interface MemoryStats {
  state: 'ok' | 'high' | 'critical'
  rss_bytes: number
  usage_percent: number
  threshold_percent: number
  critical_percent: number
  shed_total: number
  shed_by_reason: Record<string, number>
  gc_runs: number
}

/** Signals the preloaded ballast in the server process and waits until it reports back. */
function ballast(server: SuiteServer, file: string) {
  let seq = 0
  let mb = 0
  const apply = async (signal: 'SIGUSR1' | 'SIGUSR2', target: number) => {
    seq++
    writeFileSync(file, `${seq} ${target}`)
    server.proc.kill(signal)
    const marker = `"seq":"${seq}"`
    const deadline = performance.now() + 60_000
    while (!server.output().includes(marker)) {
      if (performance.now() > deadline) throw new Error('the ballast did not answer its signal')
      await Bun.sleep(20)
    }
    mb = target
  }
  return {
    get mb() {
      return mb
    },
    resize: (target: number) => apply('SIGUSR1', Math.max(0, target)),
    release: () => apply('SIGUSR2', 0),
  }
}

const readMemory = async (client: Api): Promise<MemoryStats> =>
  (await client.must(200, 'GET', '/api/health/memory')) as MemoryStats

/**
 * Grows or shrinks the ballast until the guard reports `want`, aiming RSS at `percent` of the
 * limit; confirms the state over a few samples so the phase starts in it.
 */
async function driveTo(
  client: Api,
  weight: ReturnType<typeof ballast>,
  want: MemoryStats['state'],
  percent: number,
): Promise<MemoryStats> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const now = await readMemory(client)
    if (now.state === want) {
      await Bun.sleep(INTERVAL_MS * 3)
      const again = await readMemory(client)
      if (again.state === want) return again
    }
    const missingMb = ((percent / 100) * LIMIT_MB * MB - now.rss_bytes) / MB
    await weight.resize(Math.round(weight.mb + missingMb))
    await Bun.sleep(INTERVAL_MS * 4)
  }
  throw new Error(`could not drive the memory guard into "${want}"`)
}

/**
 * Makes the server process hold real memory (a preloaded ballast) until the guard is `high`, then
 * `critical`, under load; then lets go. Shed requests must be 503 + Retry-After, health must keep
 * answering, nothing may crash, and service must return to normal.
 */
export async function memoryPressure(ctx: SuiteContext): Promise<ScenarioResult> {
  const began = performance.now()
  const database = await createScratchDatabase()
  ctx.cleanup(() => database.drop())
  const file = join(tmpdir(), `resilience-ballast-${process.pid}`)
  writeFileSync(file, '0 0')
  ctx.cleanup(() => rmSync(file, { force: true }))
  const server = await startSuiteServer({
    DATABASE_URL: database.url,
    MEMORY_LIMIT_MB: String(LIMIT_MB),
    MEMORY_CHECK_INTERVAL_MS: String(INTERVAL_MS),
    BUN_OPTIONS: `--preload ${ballastModule}`,
    RESILIENCE_BALLAST_FILE: file,
  })
  ctx.cleanup(() => server.cleanup())
  const pid = server.proc.pid
  const client = api(server.url)
  const weight = ballast(server, file)
  const world = await buildWorld(client, { users: 4, venues: 4, rentals: 0, merch: 0, stock: 0 })
  const nextSlot = slotMaker(world.venues)

  const next = (): Call => {
    const user = pick(world.users)
    const roll = Math.random()
    if (roll < 0.4) {
      const slot = nextSlot()
      return {
        op: 'write',
        method: 'POST',
        path: '/api/bookings',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        body: bookingBody(slot),
      }
    }
    if (roll < 0.7) {
      return {
        op: 'read',
        method: 'GET',
        path: '/api/bookings?page_size=5',
        headers: bearer(user.token),
      }
    }
    return { op: 'read', method: 'GET', path: `/api/venues/${pick(world.venues).id}` }
  }

  const baseline = await readMemory(client)
  const load = startLoad(server.url, {
    workers: WORKERS,
    next,
    durationMs: 120_000,
    keep: () => true,
  })
  const probe = (op: string, path: string, keep = false) =>
    startProbe(server.url, { op, method: 'GET', path }, INTERVAL_MS, keep)
  const probes = {
    live: probe('live', '/api/health'),
    memory: probe('memory', '/api/health/memory', true),
    ready: probe('ready', '/api/health/ready'),
  }
  const windows: Record<string, [number, number]> = {}
  const phase = async (name: string, hold?: () => Promise<void>) => {
    const from = performance.now()
    while (performance.now() - from < PHASE_MS) {
      await Bun.sleep(200)
      await hold?.()
    }
    windows[name] = [from, performance.now()]
  }
  // Request churn grows RSS too: trimming the ballast keeps the guard in `high` for the phase.
  const keepHigh = async () => {
    const m = await readMemory(client)
    if (m.usage_percent > 88.5) await weight.resize(weight.mb - 8)
  }

  await Bun.sleep(1000)
  await phase('normal')
  ctx.log('memory: driving the guard into high')
  const high = await driveTo(client, weight, 'high', 86.5)
  await phase('high', keepHigh)
  ctx.log('memory: driving the guard into critical')
  const critical = await driveTo(client, weight, 'critical', 95)
  await phase('critical')
  const peakBallastMb = weight.mb
  ctx.log('memory: releasing the ballast')
  const released = performance.now()
  await weight.release()
  let okAt = Infinity
  while (performance.now() - released < 30_000) {
    const m = await readMemory(client)
    if (m.state === 'ok') {
      okAt = performance.now()
      break
    }
    await Bun.sleep(INTERVAL_MS / 2)
  }
  await phase('after')

  const samples = await load.stop()
  const live = await probes.live.stop()
  const memory = await probes.memory.stop()
  const ready = await probes.ready.stop()
  const final = await readMemory(client)
  const aliveAtEnd = server.proc.exitCode === null && server.proc.pid === pid
  const exit = await stopServer(server)

  // A request is judged by the guard state the memory probes saw on both sides of it; requests
  // across a state change are left out.
  const readings = memory
    .filter((m) => m.json)
    .map((m) => ({ at: m.end, state: (m.json as MemoryStats).state }))
  const stateOf = (s: Sample): MemoryStats['state'] | undefined => {
    const before = readings.findLast((r) => r.at <= s.start)
    const after = readings.find((r) => r.at >= s.end)
    return before && after && before.state === after.state ? before.state : undefined
  }
  const inState = (list: Sample[], state: MemoryStats['state']) =>
    list.filter((s) => stateOf(s) === state)
  const inPhase = (list: Sample[], name: string) => started(list, ...windows[name]!)
  const ok = (s: Sample) => s.status >= 200 && s.status < 300
  const shed = (s: Sample) => s.status === 503 && s.problem && Number(s.retryAfter) > 0
  const of = (list: Sample[], op: string) => list.filter((s) => s.op === op)
  const reason = (s: Sample) => (s.json as { reason?: string } | undefined)?.reason
  // The guard samples every 100 ms, the probes too: a request shed as critical between two
  // `high` readings met a short excursion into critical, counted apart.
  const excursion = (s: Sample, state: MemoryStats['state']) =>
    state === 'high' && s.status === 503 && reason(s) === 'memory_critical'
  const stateCheck = (
    state: MemoryStats['state'],
    op: string,
    target: string,
    good: (s: Sample) => boolean,
  ): Check => {
    const all = of(inState(samples, state), op)
    const list = all.filter((s) => !excursion(s, state))
    const met = list.length > 0 && list.every(good)
    const counts = JSON.stringify(statusCounts(list))
    const apart = all.length - list.length
    const note = apart ? `; ${apart} shed as critical in a short excursion` : ''
    return check(
      `guard ${state}: ${op}s`,
      target,
      `${list.filter(good).length}/${list.length} (${counts})${note}`,
      met,
    )
  }
  const pressure = (list: Sample[]) => [...inState(list, 'high'), ...inState(list, 'critical')]
  const livePressure = pressure(live)
  const memoryPressureProbes = pressure(memory)
  const readyCritical = inState(ready, 'critical')
  const afterRelease = started(samples, Number.isFinite(okAt) ? okAt : Infinity, Infinity)
  const serverErrors = samples.filter((s) => s.status >= 500 && s.status !== 503).length
  const unanswered = [...samples, ...live, ...memory, ...ready].filter((s) => s.status === 0)
  const recoveryMs = okAt - released
  const crashLog = aliveAtEnd ? [] : logTail(server)
  const slowestHealth = Math.max(
    0,
    ...[...livePressure, ...memoryPressureProbes].map((s) => s.end - s.start),
  )

  const checks = [
    stateCheck('ok', 'write', '2xx', ok),
    stateCheck('ok', 'read', '2xx', ok),
    stateCheck('high', 'write', '503 problem+json with Retry-After (shed)', shed),
    stateCheck('high', 'read', '2xx (light work still served)', ok),
    stateCheck('critical', 'write', '503 problem+json with Retry-After (shed)', shed),
    stateCheck('critical', 'read', '503 problem+json with Retry-After (shed)', shed),
    check(
      'health under pressure (high + critical)',
      '/api/health and /api/health/memory always 200',
      `${livePressure.filter(ok).length}/${livePressure.length} and ${memoryPressureProbes.filter(ok).length}/${memoryPressureProbes.length}; slowest ${ms(slowestHealth)} ms`,
      livePressure.length > 0 && livePressure.every(ok) && memoryPressureProbes.every(ok),
    ),
    check(
      'readiness when critical',
      '503',
      `${readyCritical.filter((s) => s.status === 503).length}/${readyCritical.length}`,
      readyCritical.length > 0 && readyCritical.every((s) => s.status === 503),
    ),
    check(
      'back to normal after the pressure goes',
      'guard back to ok, then every request 2xx',
      Number.isFinite(recoveryMs)
        ? `ok ${ms(recoveryMs)} ms after release; then ${afterRelease.filter(ok).length}/${afterRelease.length} 2xx`
        : 'never ok',
      Number.isFinite(recoveryMs) &&
        final.state === 'ok' &&
        afterRelease.length > 0 &&
        afterRelease.every(ok),
    ),
    check(
      'no crash',
      'server alive, no 5xx but 503, no dropped connection',
      `alive ${aliveAtEnd}, other 5xx ${serverErrors}, no answer ${unanswered.length}`,
      aliveAtEnd && serverErrors === 0 && unanswered.length === 0,
      aliveAtEnd ? undefined : knownCause(crashLog),
    ),
  ]
  const phaseFigures = Object.fromEntries(
    Object.keys(windows).map((name) => {
      const list = inPhase(samples, name)
      return [name, { ...latency(list), statuses: statusCounts(list) }]
    }),
  )
  const byState = Object.fromEntries(
    (['ok', 'high', 'critical'] as const).map((state) => [
      state,
      statusCounts(inState(samples, state)),
    ]),
  )
  return {
    key: 'memory-pressure',
    title:
      'Memory pressure: real allocations in the server process drive the guard to high and critical',
    command: ctx.command,
    seconds: Math.round((performance.now() - began) / 1000),
    checks,
    figures: {
      memory_limit_mb: LIMIT_MB,
      check_interval_ms: INTERVAL_MS,
      threshold_percent: baseline.threshold_percent,
      critical_percent: baseline.critical_percent,
      workers: WORKERS,
      baseline_rss_mb: round(baseline.rss_bytes / MB, 1),
      high_usage_percent: high.usage_percent,
      critical_usage_percent: critical.usage_percent,
      peak_ballast_mb: peakBallastMb,
      recovery_ms: Number.isFinite(recoveryMs) ? ms(recoveryMs) : null,
      final_rss_mb: round(final.rss_bytes / MB, 1),
      phases: phaseFigures,
      statuses_by_guard_state: byState,
      unjudged_across_a_state_change: samples.filter((x) => !stateOf(x)).length,
      health_probe_latency: latency(livePressure),
      shed_by_reason: final.shed_by_reason,
      pressure_gc_runs: final.gc_runs - baseline.gc_runs,
      unanswered: unanswered.map((x) => ({
        op: x.op,
        error: x.error,
        waited_ms: ms(x.end - x.start),
      })),
      exit_code: exit.code,
    },
    notes: [
      'The ballast is preloaded into the server process (BUN_OPTIONS=--preload ' +
        'resilience/memory/ballast.ts) and resized on SIGUSR1/SIGUSR2, one 8 MB chunk per ' +
        'event-loop turn; it writes every byte, so the RSS the guard samples really grows.',
      'Each request is judged by the guard state the /api/health/memory probes (every 100 ms) ' +
        'saw just before and just after it; requests across a state change are not judged.',
      ...crashLog.map((line) => `server log before it died: ${line}`),
    ],
  }
}
