// Memory benchmark: idle RSS, peak RSS under a mixed load, the memory guard's cost, and what the
// periodic full GC costs. Runs the real server as the image does (the bundle of `bun run build`),
// and from its sources where a row says so, on PostgreSQL, loopback only, every load bounded in
// time; writes Markdown + JSON into bench/results/.
//
//   bun run bench:memory [--duration 60] [--connections 64] [--bookings 100000]
//                        [--guard-seconds 15] [--guard-rounds 5] [--gc-seconds 30] [--keep-db]
//
// The database (bench_memory, or BENCH_MEMORY_DATABASE_URL) is created, seeded with
// `bun run db:seed --bookings N`, and dropped at the end.
import { readFileSync } from 'node:fs'
import { Hono, type MiddlewareHandler } from 'hono'
import pino from 'pino'
import postgres from 'postgres'
import { buildScratchBundle } from '../scripts/build'
import { buildApp } from '../src/app/build-app'
import { openDatabase } from '../src/db/client'
import { parseEnv } from '../src/env'
import { createDeps } from '../src/app/deps'
import { detectMemoryLimit } from '../src/app/memory/limit'
import { MemoryMonitor } from '../src/app/memory/monitor'
import { issueToken } from '../src/http/middleware/auth'
import { memoryGuard } from '../src/http/middleware/memory-guard'
import { createScratchDatabase, dropScratchDatabase, root } from './lib/database'
import { okResponses, runLoad, type LoadRequest } from './lib/load'
import { preamble, round } from './lib/results'
import { benchArgs, runBench, type Stamped } from './lib/script'
import { mb, rssOf, sampleRss } from './lib/rss'
import { ADMIN } from './lib/servers'

const opts = benchArgs({
  duration: { type: 'string', default: '60' },
  connections: { type: 'string', default: '64' },
  bookings: { type: 'string', default: '100000' },
  'guard-seconds': { type: 'string', default: '15' },
  'guard-rounds': { type: 'string', default: '5' },
  'gc-seconds': { type: 'string', default: '30' },
  'keep-db': { type: 'boolean', default: false },
})
const DURATION = Number(opts.duration)
const CONNECTIONS = Number(opts.connections)
const BOOKINGS = Number(opts.bookings)
const GUARD_SECONDS = Number(opts['guard-seconds'])
const GUARD_ROUNDS = Number(opts['guard-rounds'])
const GC_SECONDS = Number(opts['gc-seconds'])
const DATABASE_URL =
  process.env.BENCH_MEMORY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_memory'
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-signing'
const IDLE_SETTLE_MS = 10_000

// ---------------------------------------------------------------- database

const dbName = new URL(DATABASE_URL).pathname.slice(1)


function seed(): number {
  const started = performance.now()
  const run = Bun.spawnSync([process.execPath, 'run', 'db:seed', '--bookings', String(BOOKINGS)], {
    cwd: root,
    env: { ...process.env, DATABASE_URL },
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if (run.exitCode !== 0) throw new Error('seeding failed')
  return (performance.now() - started) / 1000
}

// ---------------------------------------------------------------- server

interface Server {
  url: string
  pid: number
  stop(): Promise<void>
}

function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

/** The image's command: `bun run build`'s bundle, built once per run. */
let bundle = ''
const SOURCES = 'src/index.ts'

async function startServer(env: Record<string, string> = {}, entry = bundle): Promise<Server> {
  const port = freePort()
  const proc = Bun.spawn([process.execPath, entry], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL,
      JWT_SECRET,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
      ...env,
    },
    // The access log is written (its cost is part of the service) and thrown away.
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/api/health/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready')
    await Bun.sleep(100)
  }
  return {
    url,
    pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}

/** From /proc/<pid>/status: VmHWM (the highest RSS so far), and RSS split anonymous / file. */
function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0) * 1024
  return { peak: kb('VmHWM'), rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }
}
const peakRssOf = (pid: number) => memoryOf(pid).peak


// ---------------------------------------------------------------- load

let runs = 0

/** autocannon in its own Node process (bench/lib/load.ts); bookings of each run in new slots. */
function load(url: string, requests: LoadRequest[], seconds: number) {
  const slotBase = new Date(Date.UTC(2040 + runs++, 0, 1)).toISOString()
  return runLoad({ url, connections: CONNECTIONS, duration: seconds, requests, slotBase })
}

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  await res.arrayBuffer()
  return res.status
}

/**
 * Tokens are signed here with the server's JWT_SECRET rather than obtained by logging in: a login
 * costs an argon2id check whose working memory (19 MiB, at most 2 at once) would blur every
 * figure below. Logins are measured on their own (loginBurst).
 */
async function bearer(email: string, role: 'user' | 'admin') {
  const db = postgres(DATABASE_URL, { max: 1, onnotice: () => {} })
  try {
    const [row] = await db`select id, role, token_version from users where email = ${email}`
    if (row?.role !== role) throw new Error(`no ${role} ${email}`)
    const user = { id: Number(row.id), tokenVersion: row.token_version }
    const token = await issueToken(JWT_SECRET, user, 3600)
    return { Authorization: `Bearer ${token}` }
  } finally {
    await db.end()
  }
}

/**
 * A cycle of 100 requests every connection walks, shaped like the frontend's traffic: mostly public
 * reads (cached), users' own lists and bookings, a few admin lists, one streamed export.
 */
async function mixedWorkload(): Promise<LoadRequest[]> {
  const admin = await bearer(ADMIN.email, 'admin')
  const users = await Promise.all([1, 2, 3].map((i) => bearer(`demo-user-${i}@example.com`, 'user')))
  const mix: [number, LoadRequest][] = [
    [30, { path: '/api/venues?page_size=20' }],
    [15, { path: '/api/venues/{rand:8}' }],
    [12, { path: '/api/items' }],
    [8, { path: '/api/programs' }],
    [8, { path: '/api/gallery/public' }],
    ...users.map((headers): [number, LoadRequest] => [
      4,
      { path: '/api/bookings?page_size=50', headers },
    ]),
    [4, { path: '/api/auth/me', headers: users[0] }],
    [4, { method: 'POST', path: '/api/bookings', headers: users[1], booking: { venue_id: 1 } }],
    [3, { path: '/api/admin/bookings?page_size=50&status=confirmed', headers: admin }],
    [3, { path: '/api/admin/bookings?page_size=100&venue_id={rand:8}', headers: admin }],
    [1, { path: `/api/admin/bookings/export?format=ndjson&${exportWeek()}`, headers: admin }],
  ]
  // Spread each kind evenly over the cycle, so connections do not all run the same kind at once.
  const placed = mix.flatMap(([n, request]) =>
    Array.from({ length: n }, (_, k) => ({ at: (k + 0.5) / n, request })),
  )
  // Every request asks for compression, as every browser does: big answers are compressed.
  return placed
    .sort((a, b) => a.at - b.at)
    .map((p) => ({ ...p.request, headers: { ...p.request.headers, ...BROWSER_ENCODINGS } }))
}

const BROWSER_ENCODINGS = { 'Accept-Encoding': 'gzip, deflate, br, zstd' }

/** A week of bookings a year back: about a thousand rows. */
function exportWeek() {
  const from = new Date(Date.now() - 400 * 86_400_000)
  from.setUTCHours(0, 0, 0, 0)
  const to = new Date(from.getTime() + 7 * 86_400_000)
  return `from=${from.toISOString()}&to=${to.toISOString()}`
}

/** Exports alone: the heavy requests the guard sheds first, 8 at a time for 20 s. */
async function exports() {
  const server = await startServer()
  try {
    const headers = await bearer(ADMIN.email, 'admin')
    const path = `/api/admin/bookings/export?format=ndjson&${exportWeek()}`
    const before = memoryOf(server.pid)
    const result = await runLoad({
      url: server.url,
      connections: 8,
      duration: 20,
      requests: [{ path, headers }],
    })
    const after = memoryOf(server.pid)
    return {
      path: `GET ${path}`,
      connections: 8,
      seconds: 20,
      result,
      rss_before_mb: mb(before.rss),
      vm_hwm_mb: mb(after.peak),
      rss_at_end_mb: mb(after.rss),
    }
  } finally {
    await server.stop()
  }
}

async function memoryStats(url: string) {
  return (await (await fetch(`${url}/api/health/memory`)).json()) as Record<string, any>
}

/** Mean and count of the forced collections, from the gc_duration_seconds histogram. */
async function gcStats(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text()
  const sum = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+-]+)$`, 'gm'))].reduce(
      (n, m) => n + Number(m[1]),
      0,
    )
  const count = sum('gc_duration_seconds_count')
  const seconds = sum('gc_duration_seconds_sum')
  return { runs: count, mean_ms: count ? round((seconds / count) * 1000) : null }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// ---------------------------------------------------------------- scenarios

/** The heap paced for 1 GiB by hand, as the service paced it before it capped pacing at 128 MB. */
const JSC_1GIB = { BUN_JSC_forceRAMSize: String(2 ** 30) }
/**
 * As in a 128 MB container: the service sizes its heap for the limit itself (src/index.ts), and
 * the guard measures against 128 MB and sheds to stay under it.
 */
const CONTAINER_128MB = { MEMORY_LIMIT_MB: '128' }
/** The same with the JIT left on by hand, as the service ran before it interpreted below 160 MB. */
const CONTAINER_128MB_JIT = { MEMORY_LIMIT_MB: '128', BUN_JSC_useJIT: '1' }

async function idle(entry: string) {
  const server = await startServer({}, entry)
  try {
    await Bun.sleep(IDLE_SETTLE_MS)
    const m = memoryOf(server.pid)
    return {
      entry,
      after_seconds: IDLE_SETTLE_MS / 1000,
      rss_mb: mb(m.rss),
      anon_mb: mb(m.anon),
      file_mb: mb(m.file),
      memory: await memoryStats(server.url),
    }
  } finally {
    await server.stop()
  }
}

/** The mixed load on a fresh server; RSS sampled every 250 ms, then once more after a GC. */
async function mixed(label: string, env: Record<string, string> = {}, entry = bundle) {
  const server = await startServer(env, entry)
  try {
    const requests = await mixedWorkload()
    const before = memoryOf(server.pid)
    const sampler = sampleRss(server.pid, 250)
    const result = await load(server.url, requests, DURATION)
    const samples = sampler.stop()
    const end = memoryOf(server.pid)
    // One periodic collection (GC_INTERVAL_SECONDS=30) later.
    await Bun.sleep(32_000)
    const settled = memoryOf(server.pid)
    const stats = await memoryStats(server.url)
    return {
      label,
      env,
      entry,
      seconds: DURATION,
      connections: CONNECTIONS,
      requests: requests.map((r) => `${r.method ?? 'GET'} ${r.path}`),
      result,
      rss_before_mb: mb(before.rss),
      // Samples every 250 ms can miss a spike; VmHWM cannot (the load is the process's peak).
      peak_rss_mb: mb(Math.max(end.peak, ...samples.map((x) => x.rss))),
      vm_hwm_mb: mb(end.peak),
      rss_at_end_mb: mb(end.rss),
      rss_32s_after_mb: mb(settled.rss),
      shed_total: stats.shed_total as number,
      shed_by_reason: stats.shed_by_reason as Record<string, number>,
      gc_runs: stats.gc_runs as number,
      limit_mb: mb(stats.limit_bytes),
      limit_source: stats.limit_source,
      timeline: samples.map((x) => [round(x.t, 1), mb(x.rss)]),
    }
  } finally {
    await server.stop()
  }
}

/** What logins cost: each is an argon2id verification with its own working memory. */
async function loginBurst() {
  const server = await startServer()
  try {
    await Bun.sleep(3000)
    const before = memoryOf(server.pid)
    const attempts = 16
    const started = performance.now()
    const statuses = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        login(server.url, `demo-user-${(i % 8) + 1}@example.com`, 'demo-password'),
      ),
    )
    const seconds = (performance.now() - started) / 1000
    const after = memoryOf(server.pid)
    return {
      concurrent_logins: attempts,
      ok: statuses.filter((s) => s === 200).length,
      seconds: round(seconds, 2),
      rss_before_mb: mb(before.rss),
      rss_after_mb: mb(after.rss),
      vm_hwm_mb: mb(after.peak),
    }
  } finally {
    await server.stop()
  }
}

/**
 * The guard on the cheapest non-health path (a cached venue), where its per-request cost weighs
 * most; rounds alternate on and off so drift in the machine hits both.
 */
async function guardCost() {
  const measured: { guard: 'on' | 'off'; rps: number; p99: number }[] = []
  const path = [{ path: '/api/venues/1' }]
  for (let round = 0; round < GUARD_ROUNDS; round++) {
    for (const guard of ['on', 'off'] as const) {
      const server = await startServer({ MEMORY_GUARD_ENABLED: guard === 'on' ? 'true' : 'false' })
      try {
        await load(server.url, path, 3)
        const result = await load(server.url, path, GUARD_SECONDS)
        measured.push({ guard, rps: result.rps, p99: result.latency_ms.p99 })
      } finally {
        await server.stop()
      }
    }
  }
  const on = median(measured.filter((r) => r.guard === 'on').map((r) => r.rps))
  const off = median(measured.filter((r) => r.guard === 'off').map((r) => r.rps))
  return {
    path: 'GET /api/venues/1 (cached)',
    seconds: GUARD_SECONDS,
    rounds: GUARD_ROUNDS,
    runs: measured,
    median_rps_on: round(on),
    median_rps_off: round(off),
    cost_percent: round(((off - on) / off) * 100),
  }
}

/**
 * The same comparison without the network, the load generator or the scheduler. Two apps in
 * this process, identical but for the guard, serve the cached venue in alternating slices of 64
 * concurrent requests. On a shared machine that difference is within noise, so the guard's own
 * cost is also timed directly: the real middleware (and its hono layer) on a bare app, against
 * the same app without it, as a share of the real app's time per request.
 */
async function guardCostInProcess() {
  const settings = { ...process.env, DATABASE_URL, JWT_SECRET, LOG_LEVEL: 'info' as const }
  const database = openDatabase(parseEnv(settings))
  const logger = pino({ level: 'info' }, { write: () => {} })
  const real = (guard: boolean) =>
    buildApp(
      createDeps(parseEnv({ ...settings, MEMORY_GUARD_ENABLED: String(guard) }), database, {
        logger,
      }),
    )
  const monitor = new MemoryMonitor({
    limit: detectMemoryLimit(),
    thresholdPercent: 85,
    criticalPercent: 90,
    intervalMs: 2000,
    logger,
  })
  const bare = (guard: boolean) => {
    const app = new Hono()
    // Both through hono's middleware chain, as in the real app (one handler alone skips it).
    app.use(async (_c, next) => {
      await next()
    })
    if (guard) app.use(memoryGuard({ monitor, maxInFlight: 256 }) as MiddlewareHandler)
    return app.get('/api/venues/:id', (c) => c.json({ id: 1 }))
  }
  try {
    const apps = { on: real(true), off: real(false) }
    const bareApps = { on: bare(true), off: bare(false) }
    const realTimes = await alternate(apps, 60, 20)
    const bareTimes = await alternate(bareApps, 60, 100)
    const guardUs = bareTimes.on - bareTimes.off
    return {
      requests_each: 60 * 20 * 64,
      us_per_request_on: round(realTimes.on, 2),
      us_per_request_off: round(realTimes.off, 2),
      ab_difference_percent: round(((realTimes.on - realTimes.off) / realTimes.off) * 100, 2),
      guard_us_per_request: round(guardUs, 3),
      cost_percent: round((guardUs / realTimes.off) * 100, 2),
    }
  } finally {
    await database.close()
  }
}

type Fetcher = { request(path: string): Response | Promise<Response> }

/**
 * Microseconds per request of each app in its least disturbed slice (best of `slices`,
 * alternating): on a shared machine other work only ever adds time, so the minimum is the
 * estimate least affected by it.
 */
async function alternate(apps: { on: Fetcher; off: Fetcher }, slices: number, batches: number) {
  const slice = async (app: Fetcher) => {
    const started = performance.now()
    for (let i = 0; i < batches; i++) {
      await Promise.all(
        Array.from({ length: 64 }, async () => (await app.request('/api/venues/1')).arrayBuffer()),
      )
    }
    return ((performance.now() - started) * 1000) / (batches * 64)
  }
  for (let i = 0; i < 10; i++) await Promise.all([slice(apps.on), slice(apps.off)])
  const on: number[] = []
  const off: number[] = []
  for (let i = 0; i < slices; i++) {
    if (i % 2) {
      on.push(await slice(apps.on))
      off.push(await slice(apps.off))
    } else {
      off.push(await slice(apps.off))
      on.push(await slice(apps.on))
    }
  }
  return { on: Math.min(...on), off: Math.min(...off) }
}

/** The mixed load with periodic GC off, at the default interval, and at a 6x shorter one. */
async function gcCost() {
  const rows = []
  for (const interval of [0, 30, 5]) {
    const server = await startServer({ GC_INTERVAL_SECONDS: String(interval) })
    try {
      const requests = await mixedWorkload()
      await load(server.url, requests, 3)
      const result = await load(server.url, requests, GC_SECONDS)
      const gc = await gcStats(server.url)
      rows.push({
        gc_interval_seconds: interval,
        rps: round(result.rps),
        p50_ms: result.latency_ms.p50,
        p99_ms: result.latency_ms.p99,
        max_ms: result.latency_ms.max,
        peak_rss_mb: mb(peakRssOf(server.pid)),
        rss_at_end_mb: mb(memoryOf(server.pid).rss),
        forced_collections: gc.runs,
        mean_collection_ms: gc.mean_ms,
      })
    } finally {
      await server.stop()
    }
  }
  return { seconds: GC_SECONDS, connections: CONNECTIONS, rows }
}

// ---------------------------------------------------------------- report

type Report = Stamped<Awaited<ReturnType<typeof main>>['result']>

/** The workload as `n x request` lines, in order of first appearance. */
function cycle(requests: string[]) {
  const counts = new Map<string, number>()
  for (const r of requests) counts.set(r, (counts.get(r) ?? 0) + 1)
  return [...counts].map(([r, n]) => `- ${n} x \`${r}\``).join('\n')
}

function mixedSection(m: Report['mixed'][number]) {
  const codes = Object.entries(m.result.status)
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ')
  const l = m.result.latency_ms
  return `### ${m.label}

${m.result.responses} responses in ${m.seconds} s: ${round(m.result.rps)} req/s; latency p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms; errors ${m.result.errors}, time-outs ${m.result.timeouts}; status ${codes}; shed ${m.shed_total} (${Object.entries(m.shed_by_reason).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}); forced collections ${m.gc_runs}.
Memory limit ${m.limit_mb} MB (${m.limit_source}); RSS ${m.rss_before_mb} MB before, peak ${m.peak_rss_mb} MB (VmHWM ${m.vm_hwm_mb} MB), ${m.rss_at_end_mb} MB at the end, ${m.rss_32s_after_mb} MB 32 s later (after a periodic collection).
`
}

function markdown(r: Report): string {
  const [base, sources, paced1g, container, containerJit] = r.mixed
  const served = (m: Report['mixed'][number]) => round(okResponses(m.result) / m.seconds, 1)
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**')
  const idleCell = (x: Report['idle']) =>
    `${x.rss_mb} MB (${x.anon_mb} anonymous + ${x.file_mb} file-backed)`
  return `${preamble('Memory benchmark', { ...r, load_average_at_end: r.load_average_at_end })}
The load generator and anything else running on the machine share its cores: throughput figures
are indicative, and so is the HTTP comparison of the guard on and off.

Database: \`${r.database}\` created for the run, seeded with \`bun run db:seed --bookings ${r.bookings}\` (${round(r.seed_seconds, 1)} s), dropped afterwards.
Server: the bundle the image runs (\`bun run build\`, then \`bun dist/src/index.js\`) unless a row says the sources (\`bun src/index.ts\`, as \`npm start\`), NODE_ENV=production, LOG_LEVEL=info (an access-log line per request, to /dev/null), pool 3 + 3, guard on, GC every 30 s, memory limit ${base!.limit_mb} MB (${base!.limit_source}). The server paces its heap for its limit, at most 128 MB (\`BUN_JSC_forceRAMSize\`, set by src/index.ts). A fresh server for every run. Load: autocannon in its own Node process, loopback.

| measure | result | target |
| --- | --- | --- |
| idle RSS, ${r.idle.after_seconds} s after start-up | ${idleCell(r.idle)} | <= 50 MB: ${verdict(r.idle.rss_mb <= 50)} |
| same, from the sources | ${idleCell(r.idle_sources)} | <= 50 MB: ${verdict(r.idle_sources.rss_mb <= 50)} |
| peak RSS, ${base!.seconds} s mixed load at ${base!.connections} connections | ${base!.peak_rss_mb} MB | <= 100 MB: ${verdict(base!.peak_rss_mb <= 100)} |
| same, from the sources | ${sources!.peak_rss_mb} MB | <= 100 MB: ${verdict(sources!.peak_rss_mb <= 100)} |
| same, the heap paced for 1 GiB (as before) | ${paced1g!.peak_rss_mb} MB | <= 100 MB: ${verdict(paced1g!.peak_rss_mb <= 100)} |
| same, as in a 128 MB container (\`MEMORY_LIMIT_MB=128\`: the runtime set, JIT off, and the guard's limit) | ${container!.peak_rss_mb} MB, ${container!.shed_total} requests shed, ${served(container!)} served per second | <= 100 MB: ${verdict(container!.peak_rss_mb <= 100)} |
| same, the JIT on by hand (\`BUN_JSC_useJIT=1\`) | ${containerJit!.peak_rss_mb} MB, ${containerJit!.shed_total} requests shed, ${served(containerJit!)} served per second | <= 100 MB: ${verdict(containerJit!.peak_rss_mb <= 100)} |
| memory guard cost, HTTP throughput on vs off | ${r.guard.cost_percent} % | < 2 %: ${verdict(r.guard.cost_percent < 2)} |
| memory guard cost, its own time per request (in process) | ${r.guard.in_process.cost_percent} % (${r.guard.in_process.guard_us_per_request} µs of ${r.guard.in_process.us_per_request_off} µs) | < 2 %: ${verdict(r.guard.in_process.cost_percent < 2)} |

File-backed RSS is Bun's own executable paged in (shared, reclaimable); the anonymous part is the service's.

## Mixed load

Each connection cycles through these 100 requests, each with \`Accept-Encoding: gzip, deflate, br, zstd\` as browsers send it (tokens are signed by the bench, not obtained by logging in: see logins below). Peak RSS is the higher of VmHWM and RSS sampled every 250 ms:

${cycle(base!.requests)}

${r.mixed.map(mixedSection).join('\n')}
## Exports

\`${r.exports.path}\` (a week of bookings, about a thousand rows), ${r.exports.connections} at a time for ${r.exports.seconds} s: ${r.exports.result.responses} exports, ${r.exports.result.rps} per second, latency p50 ${r.exports.result.latency_ms.p50} ms, p99 ${r.exports.result.latency_ms.p99} ms; RSS ${r.exports.rss_before_mb} MB before, peak ${r.exports.vm_hwm_mb} MB, ${r.exports.rss_at_end_mb} MB at the end.

## Logins

${r.logins.concurrent_logins} concurrent logins (${r.logins.ok} succeeded) in ${r.logins.seconds} s: RSS ${r.logins.rss_before_mb} MB before, ${r.logins.rss_after_mb} MB after, peak ${r.logins.vm_hwm_mb} MB. Each login verifies an argon2id hash (19 MiB of working memory, at most 2 at once, the rest queued; seeded hashes use the same parameters).

## Guard cost

${r.guard.path}, ${r.guard.rounds} rounds of ${r.guard.seconds} s each way (after 3 s of warm-up), alternating, a fresh server per run.

| run | guard | req/s | p99 ms |
| --- | --- | --- | --- |
${r.guard.runs.map((x, i) => `| ${i + 1} | ${x.guard} | ${round(x.rps)} | ${x.p99} |`).join('\n')}

Median: on ${r.guard.median_rps_on} req/s, off ${r.guard.median_rps_off} req/s: cost ${r.guard.cost_percent} %.

In process, without the network: two apps identical but for the guard, on the same database, serving the same cached venue in 120 alternating slices of 20 x 64 concurrent requests (${r.guard.in_process.requests_each} requests each): best slice ${r.guard.in_process.us_per_request_on} µs per request with the guard, ${r.guard.in_process.us_per_request_off} µs without (${r.guard.in_process.ab_difference_percent} %). Timed on its own (the real middleware on a bare hono app, with and without it), the guard adds ${r.guard.in_process.guard_us_per_request} µs per request: ${r.guard.in_process.cost_percent} % of the real app's cheapest request.

## Periodic GC cost

The mixed load for ${r.gc.seconds} s at ${r.gc.connections} connections, per GC_INTERVAL_SECONDS (0 = off). A collection is a full, synchronous one (\`Bun.gc(true)\`): the event loop waits for it.

| GC_INTERVAL_SECONDS | req/s | p50 ms | p99 ms | max ms | peak RSS MB | RSS at end MB | collections | mean collection ms |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${r.gc.rows.map((x) => `| ${x.gc_interval_seconds} | ${x.rps} | ${x.p50_ms} | ${x.p99_ms} | ${x.max_ms} | ${x.peak_rss_mb} | ${x.rss_at_end_mb} | ${x.forced_collections} | ${x.mean_collection_ms ?? '-'} |`).join('\n')}
`
}

async function main() {
  const postgresVersion = await createScratchDatabase(DATABASE_URL)
  let removeBundle = () => {}
  try {
    const seedSeconds = seed()
    const built = await buildScratchBundle('bench-memory')
    removeBundle = built.remove
    bundle = built.entry
    const idleResult = await idle(bundle)
    const idleSources = await idle(SOURCES)
    const mixedResults = [
      await mixed('As the image runs it: the bundle, the heap paced for 128 MB (the default)'),
      await mixed('From the sources (`npm start`)', {}, SOURCES),
      await mixed(
        'The bundle with the heap paced for 1 GiB, as before the cap (BUN_JSC_forceRAMSize=1073741824)',
        JSC_1GIB,
      ),
      await mixed(
        'As in a 128 MB container: MEMORY_LIMIT_MB=128 (the service sets its runtime for it: JIT off)',
        CONTAINER_128MB,
      ),
      await mixed(
        'The same with the JIT on by hand (MEMORY_LIMIT_MB=128, BUN_JSC_useJIT=1)',
        CONTAINER_128MB_JIT,
      ),
    ]
    const exportRun = await exports()
    const logins = await loginBurst()
    const guard = { ...(await guardCost()), in_process: await guardCostInProcess() }
    const gc = await gcCost()
    const result = {
      database: dbName,
      bookings: BOOKINGS,
      seed_seconds: seedSeconds,
      idle: idleResult,
      idle_sources: idleSources,
      mixed: mixedResults,
      exports: exportRun,
      logins,
      guard,
      gc,
    }
    return { result, versions: { postgresql: postgresVersion } }
  } finally {
    removeBundle()
    if (!opts['keep-db']) await dropScratchDatabase(DATABASE_URL)
  }
}

await runBench('memory', opts.render, markdown, main)
