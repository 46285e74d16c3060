// The zero-set-up path's memory: the service on embedded PGlite (`npm start` without
// DATABASE_URL), its data seeded by `bun run db:seed`, in a 512 MB budget (MEMORY_LIMIT_MB=512,
// what the guard reads from a `docker run -m 512m` cgroup). Measures PGlite alone with its own
// settings and with the service's (src/db/client.ts), the service's RSS on a fresh and on an
// existing data directory, and under a mixed load: its peak RSS and the guard's worst state.
// Loopback only, every load bounded in time; writes Markdown + JSON into bench/results/.
//
//   bun run bench:pglite [--duration 30] [--connections 16] [--bookings 1000] [--render]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pgliteSettings } from '../src/db/client'
import { DEMO_PASSWORD } from '../src/seed/demo-data'
import { root } from './lib/database'
import { okResponses, runLoad, type LoadRequest } from './lib/load'
import { preamble, table } from './lib/results'
import { benchArgs, runBench, type Measured } from './lib/script'
import { mb, peakRssOf, rssOf } from './lib/rss'
import { ADMIN, login } from './lib/servers'

const opts = benchArgs({
  duration: { type: 'string', default: '30' },
  connections: { type: 'string', default: '16' },
  bookings: { type: 'string', default: '1000' },
})
const IDLE_TARGET_MB = 150

const LIMIT_MB = 512
const postgresDefaults = ['shared_buffers=128MB', 'maintenance_work_mem=64MB']
const IDLE_SETTLE_MS = 10_000
const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'))
const env = {
  ...process.env,
  DATABASE_URL: '',
  DATA_DIR: dir,
  UPLOAD_DIR: join(dir, 'uploads'),
  NODE_ENV: 'development',
  MEMORY_LIMIT_MB: String(LIMIT_MB),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
}

function run(args: string[]) {
  const proc = Bun.spawnSync([process.execPath, ...args], { cwd: root, env, stderr: 'pipe' })
  if (proc.exitCode !== 0) throw new Error(`${args.join(' ')} failed: ${proc.stderr}`)
  return proc.stdout.toString()
}

async function startServer() {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const proc = Bun.spawn([process.execPath, 'src/index.ts'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 120_000; ; await Bun.sleep(100)) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    if (Date.now() > deadline) throw new Error('server did not become ready')
    const ready = await fetch(`${url}/api/health/ready`).catch(() => undefined)
    if (ready?.ok) break
  }
  return { url, proc }
}

async function idleRss(pid: number) {
  await Bun.sleep(IDLE_SETTLE_MS)
  return mb(rssOf(pid))
}

const bearer = async (url: string, email: string, password: string) =>
  (await login(url, email, password)).headers

/** bench/memory.ts's mixed traffic: public reads, own lists and bookings, admin lists, exports. */
async function mixedWorkload(url: string): Promise<LoadRequest[]> {
  const admin = await bearer(url, env.ADMIN_EMAIL, env.ADMIN_PASSWORD)
  const users = await Promise.all(
    [1, 2, 3].map((i) => bearer(url, `demo-user-${i}@example.com`, DEMO_PASSWORD)),
  )
  const mix: [number, LoadRequest][] = [
    [30, { path: '/api/venues?page_size=20' }],
    [15, { path: '/api/venues/{rand:8}' }],
    [12, { path: '/api/items' }],
    [8, { path: '/api/programs' }],
    [8, { path: '/api/gallery/public' }],
    ...users.map((headers): [number, LoadRequest] => [4, { path: '/api/bookings', headers }]),
    [4, { path: '/api/auth/me', headers: users[0] }],
    [4, { method: 'POST', path: '/api/bookings', headers: users[1], booking: { venue_id: 1 } }],
    [3, { path: '/api/admin/bookings?page_size=50&status=confirmed', headers: admin }],
    [3, { path: '/api/admin/bookings?page_size=100&venue_id={rand:8}', headers: admin }],
    [1, { path: '/api/admin/bookings/export?format=ndjson', headers: admin }],
  ]
  return mix.flatMap(([n, request]) => Array.from({ length: n }, () => request))
}

/** Polls the guard while the load runs: the worst state it reached and its highest usage. */
function watchGuard(url: string) {
  const rank = { ok: 0, high: 1, critical: 2 } as const
  let worst: keyof typeof rank = 'ok'
  let usage = 0
  let shed: Record<string, number> = {}
  const timer = setInterval(async () => {
    const res = await fetch(`${url}/api/health/memory`).catch(() => undefined)
    if (!res?.ok) return
    const m = (await res.json()) as any
    if (rank[m.state as keyof typeof rank] > rank[worst]) worst = m.state
    usage = Math.max(usage, m.usage_percent)
    shed = m.shed_by_reason
  }, 500)
  return () => (clearInterval(timer), { worst, max_usage_percent: usage, shed_by_reason: shed })
}

type Result = Record<string, any>


function report(r: Result): string {
  const s = r.service_mb
  const idleVerdict =
    s.idle <= IDLE_TARGET_MB
      ? 'met'
      : `missed by ${Math.round((s.idle - IDLE_TARGET_MB) * 10) / 10} MB: PGlite's WebAssembly ` +
        'memory starts at 128 MB (its module refuses a smaller `initialMemory`), of which the ' +
        "database's buffers are only a part"
  const budgetVerdict = r.guard.worst === 'critical' ? 'missed' : 'met'
  const firstStart =
    s.fresh_dir_peak > r.limit_mb
      ? `above the ${r.limit_mb} MB budget: a container of that size would be killed on its ` +
        'first start, so the image runs on PostgreSQL (docs/container.md)'
      : `within the ${r.limit_mb} MB budget`
  return `${preamble('PGlite memory (the zero-set-up path)', r as Parameters<typeof preamble>[1])}
PGlite alone on the seeded data directory (${r.bookings} bookings), after a full collection:

${table(
  ['PostgreSQL settings inside PGlite', 'RSS MB'],
  [
    [
      `PostgreSQL's defaults: ${r.postgres_defaults.join(', ')}`,
      r.pglite_alone_mb.postgres_defaults,
    ],
    [`the service's: ${r.pglite_settings.join(', ')}`, r.pglite_alone_mb.service_settings],
  ],
)}

The service from its sources (\`npm start\`) with MEMORY_LIMIT_MB=${r.limit_mb}:

${table(
  ['moment', 'RSS MB'],
  [
    ['first start on an empty DATA_DIR: peak (initdb runs inside PGlite)', s.fresh_dir_peak],
    ['first start: idle 10 s after ready', s.fresh_dir_idle],
    ['seeded DATA_DIR: idle 10 s after ready', s.idle],
    [`mixed load, ${r.load.connections} connections for ${r.load.duration_s} s: peak`, s.load_peak],
    ['idle 10 s after the load', s.idle_after_load],
  ],
)}

Load: ${r.load.rps} req/s, ${r.load.ok} answers 2xx, p95 ${r.load.p95_ms} ms,
statuses ${JSON.stringify(r.load.status)}. Guard: worst state \`${r.guard.worst}\`, highest
usage ${r.guard.max_usage_percent} % of ${r.limit_mb} MB, shed \
${JSON.stringify(r.guard.shed_by_reason)}.

Targets:

- Idle on PGlite <= ${IDLE_TARGET_MB} MB: ${s.idle} MB, ${idleVerdict}.
- The mixed load in a ${r.limit_mb} MB budget without entering \`critical\`: ${budgetVerdict}
  (worst state \`${r.guard.worst}\`).
- The first start on an empty directory peaks at ${s.fresh_dir_peak} MB, ${firstStart}.
`
}

async function main(): Promise<Measured<Result>> {
  // A fresh directory: initdb runs inside PGlite on the first open.
  const fresh = await startServer()
  const freshPeak = mb(peakRssOf(fresh.proc.pid))
  const freshIdle = await idleRss(fresh.proc.pid)
  fresh.proc.kill('SIGTERM')
  await fresh.proc.exited
  run(['src/seed/seed.ts', '--bookings', opts.bookings, '--users', '20'])

  // PGlite writes the settings it is given into the directory's postgresql.conf, so PostgreSQL's
  // defaults are given explicitly, and the service's last (they stay for the server below).
  const alone = (settings: string[]) =>
    JSON.parse(run(['bench/lib/pglite-alone.ts', join(dir, 'pglite'), JSON.stringify(settings)]))
      .rss_mb as number
  const pgliteDefault = alone(postgresDefaults)
  const pgliteTuned = alone(pgliteSettings)

  const server = await startServer()
  const idle = await idleRss(server.proc.pid)
  const requests = await mixedWorkload(server.url)
  const stopWatch = watchGuard(server.url)
  const load = await runLoad({
    url: server.url,
    connections: Number(opts.connections),
    duration: Number(opts.duration),
    requests,
    slotBase: new Date(Date.UTC(2045, 0, 1)).toISOString(),
  })
  const guard = stopWatch()
  const peak = mb(peakRssOf(server.proc.pid))
  const after = await idleRss(server.proc.pid)
  server.proc.kill('SIGTERM')
  await server.proc.exited

  const result = {
    limit_mb: LIMIT_MB,
    bookings: Number(opts.bookings),
    postgres_defaults: postgresDefaults,
    pglite_settings: pgliteSettings,
    pglite_alone_mb: { postgres_defaults: pgliteDefault, service_settings: pgliteTuned },
    service_mb: {
      fresh_dir_peak: freshPeak,
      fresh_dir_idle: freshIdle,
      idle,
      load_peak: peak,
      idle_after_load: after,
    },
    load: {
      connections: Number(opts.connections),
      duration_s: load.duration_s,
      rps: load.rps,
      ok: okResponses(load),
      status: load.status,
      p95_ms: load.latency_ms.p95,
    },
    guard,
  }
  return {
    result,
    versions: { pglite: require('@electric-sql/pglite/package.json').version },
  }
}

try {
  await runBench('pglite-memory', opts.render, report, main)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
