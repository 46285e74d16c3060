// `bun run bench:startup`: how long a fresh server takes to answer, and what it holds when idle,
// on PostgreSQL. The app from its sources (the handler modules of exports, uploads, the status
// page and the docs imported on their first request) against the same app importing them at
// start-up (eager, as before), against the bundle the image runs, against two floors (Bun.serve +
// postgres.js and nothing else, bench/lib/floor-server.ts; the same with the stack the design
// fixes, bench/lib/stack-floor-server.ts), and a few start-up variants. Deferring those groups
// whole (routes and schemas too) was measured on 2026-11-29 and not kept: see that report. Every
// run is a fresh process; runs of the variants are interleaved, so drift in the machine's load
// spreads over all of them. Loopback only, every process bounded in time. Results:
// bench/results/<date>-startup.{md,json}.
//
//   bun run bench:startup [--runs 5] [--settle 10] [--only shipped,eager,...] [--keep-db]
//   bun run bench:startup --render     (rewrites the latest report from its JSON)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { buildScratchBundle } from '../scripts/build'
import { issueToken } from '../src/http/middleware/auth'
import { createScratchDatabase, dropScratchDatabase, root } from './lib/database'
import { preamble, round as roundTo, table } from './lib/results'
import { benchArgs, runBench, type Stamped } from './lib/script'
import { mb, rssPartsOf } from './lib/rss'

const opts = benchArgs({
  runs: { type: 'string', default: '5' },
  settle: { type: 'string', default: '10' },
  only: { type: 'string' },
  'keep-db': { type: 'boolean', default: false },
})
const RUNS = Number(opts.runs)
const SETTLE_MS = Number(opts.settle) * 1000
/** Between a group's first request and reading RSS: the answer is sent and its buffers dropped. */
const AFTER_REQUEST_MS = 1000
const READY_POLL_MS = 5
const TARGET_MB = 50
const DATABASE_URL =
  process.env.BENCH_STARTUP_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_startup'
const dbName = new URL(DATABASE_URL).pathname.slice(1)
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-signing'
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' }
const SEED = ['--bookings', '1000', '--users', '20']

/** Start-up figures are reported to one decimal. */
const round = (n: number) => roundTo(n, 1)

// ---------------------------------------------------------------- what is measured

interface Variant {
  key: string
  label: string
  /** Arguments to `bun`, from the project root. */
  argv: string[]
  env?: Record<string, string>
  /** What it shows, for the report. */
  about: string
  /** Also time the first request of every route group, and RSS after each. */
  groups?: boolean
}

const BUNDLE = '<bundle>'

const VARIANTS: Variant[] = [
  {
    key: 'shipped',
    label: 'app from its sources (lazy handler modules)',
    argv: ['src/index.ts'],
    about:
      'Every route registered at start-up; the handler modules of exports, uploads, the status ' +
      'page and the docs (and what only they import) imported on their first request.',
    groups: true,
  },
  {
    key: 'eager',
    label: 'eager: every module at start-up',
    argv: ['--preload', './bench/lib/preload-route-handlers.ts', 'src/index.ts'],
    about: 'Those handler modules imported at start-up, as every router did before.',
    groups: true,
  },
  {
    key: 'floor',
    label: 'floor: Bun.serve + postgres.js',
    argv: ['bench/lib/floor-server.ts'],
    about: 'Bun.serve answering 200 with a connected pool; what Bun itself takes.',
  },
  {
    key: 'stack-floor',
    label: 'floor with the fixed stack: hono, zod, drizzle',
    argv: ['bench/lib/stack-floor-server.ts'],
    about:
      'The floor with the libraries the design fixes loaded and used: an @hono/zod-openapi app ' +
      'with one zod-checked route, drizzle over the postgres.js pool. None of the service.',
  },
  {
    key: 'pglite-imported',
    label: 'sources, PGlite imported at start-up (as before)',
    argv: ['--preload', './bench/lib/preload-pglite.ts', 'src/index.ts'],
    about:
      'The modules src/db/client.ts imported at start-up before it loaded them only on the ' +
      'PGlite path (`@electric-sql/pglite`, its `btree_gist`, `drizzle-orm/pglite`).',
  },
  {
    key: 'gc-once',
    label: 'sources, one full GC 2 s after start',
    argv: ['--preload', './bench/lib/preload-gc-once.ts', 'src/index.ts'],
    about: '`Bun.gc(true)` once the server is up, before the idle reading.',
  },
  {
    key: 'no-migrate',
    label: 'sources, DB_MIGRATE_ON_START=false',
    argv: ['src/index.ts'],
    env: { DB_MIGRATE_ON_START: 'false' },
    about: 'No migration check at start-up (migrations applied apart, `bun run db:migrate`).',
  },
  {
    key: 'bundled',
    label: 'bundled, as the image runs it',
    argv: [BUNDLE],
    about:
      '`bun scripts/build.ts` (`bun run build`): one minified file, PGlite left out of it; the ' +
      "image's command. The migrations and the status page's script where it looks for them.",
  },
  {
    key: 'bundled-128',
    label: 'bundled, MEMORY_LIMIT_MB=128',
    argv: [BUNDLE],
    env: { MEMORY_LIMIT_MB: '128' },
    about:
      'The bundle in a 128 MB budget: the runtime set for it (heap paced for 128 MB, FTL and ' +
      'the JIT off).',
  },
]

interface Request {
  path: string
  admin?: boolean
}

/**
 * The route groups the lazy variants defer, and the admin back office (loaded at start-up in all:
 * its routes share routers and handler modules with the public ones), with a first request each.
 */
const GROUPS: { name: string; requests: Request[] }[] = [
  { name: 'admin', requests: [{ path: '/api/admin/venues', admin: true }] },
  {
    name: 'exports',
    requests: [{ path: '/api/admin/bookings/export?format=ndjson', admin: true }],
  },
  { name: 'uploads', requests: [{ path: '/api/uploads', admin: true }] },
  { name: 'status', requests: [{ path: '/status' }] },
  { name: 'docs', requests: [{ path: '/api/openapi.json' }, { path: '/api/docs' }] },
]

// ---------------------------------------------------------------- database



/** Migrates and seeds a little: the idle figures should not depend on the data, only exist. */
function seed(uploadDir: string) {
  const run = Bun.spawnSync([process.execPath, 'src/seed/seed.ts', ...SEED], {
    cwd: root,
    env: { ...process.env, DATABASE_URL, UPLOAD_DIR: uploadDir },
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if (run.exitCode !== 0) throw new Error('seeding failed')
}

/** Signed here: a login would spend an argon2id hash inside the measured process. */
async function adminToken(): Promise<string> {
  const db = postgres(DATABASE_URL, { max: 1, onnotice: () => {} })
  try {
    const [row] = await db`select id, token_version from users where email = ${ADMIN.email}`
    if (!row) throw new Error(`no user ${ADMIN.email}`)
    const admin = { id: Number(row.id), tokenVersion: row.token_version }
    return await issueToken(JWT_SECRET, admin, 3600)
  } finally {
    await db.end()
  }
}

// ---------------------------------------------------------------- one run

function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

interface RunContext {
  dataDir: string
  bundle: string
  token: string
}

const memory = (pid: number) => {
  const m = rssPartsOf(pid)
  return { rss_mb: mb(m.rss), anon_mb: mb(m.anon), file_mb: mb(m.file) }
}
type Memory = ReturnType<typeof memory>

interface GroupRun {
  name: string
  first_request_ms: number
  status: number[]
  after: Memory
}

interface Run {
  variant: string
  round: number
  ready_ms: number
  at_ready: Memory
  idle: Memory
  groups?: GroupRun[]
  after_groups_settled?: Memory
}

/** One fresh process of `variant`; round 0 is a warm-up that ends once the server is ready. */
async function measure(variant: Variant, ctx: RunContext, roundNo: number): Promise<Run> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const argv = variant.argv.map((a) => (a === BUNDLE ? ctx.bundle : a))
  const started = performance.now()
  const proc = Bun.spawn([process.execPath, ...argv], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL,
      DATA_DIR: ctx.dataDir,
      UPLOAD_DIR: join(ctx.dataDir, 'uploads'),
      JWT_SECRET,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // The access log is written, as in production, and thrown away.
      LOG_LEVEL: 'info',
      ...variant.env,
    },
    stdout: 'ignore',
    stderr: 'pipe',
  })
  let stderr = ''
  void (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of proc.stderr) stderr = (stderr + decoder.decode(chunk)).slice(-8192)
  })()
  try {
    const deadline = Date.now() + 60_000
    for (;;) {
      if (proc.exitCode !== null) {
        throw new Error(`${variant.key} exited during start-up:\n${stderr}`)
      }
      if (Date.now() > deadline) throw new Error(`${variant.key} was not ready within 60 s`)
      const ok = await fetch(`${url}/api/health/ready`).then(
        async (r) => (await r.arrayBuffer(), r.status === 200),
        () => false,
      )
      if (ok) break
      await Bun.sleep(READY_POLL_MS)
    }
    const readyMs = performance.now() - started
    const atReady = memory(proc.pid)
    if (roundNo > 0) await Bun.sleep(SETTLE_MS)
    const run: Run = {
      variant: variant.key,
      round: roundNo,
      ready_ms: round(readyMs),
      at_ready: atReady,
      idle: memory(proc.pid),
    }
    if (variant.groups && roundNo > 0) {
      run.groups = []
      for (const group of GROUPS) {
        const t = performance.now()
        const status: number[] = []
        for (const r of group.requests) {
          const headers: Record<string, string> = r.admin
            ? { Authorization: `Bearer ${ctx.token}` }
            : {}
          const res = await fetch(`${url}${r.path}`, { headers })
          await res.arrayBuffer()
          status.push(res.status)
          if (res.status !== 200) throw new Error(`${variant.key}: GET ${r.path} ${res.status}`)
        }
        const firstRequestMs = performance.now() - t
        await Bun.sleep(AFTER_REQUEST_MS)
        run.groups.push({
          name: group.name,
          first_request_ms: round(firstRequestMs),
          status,
          after: memory(proc.pid),
        })
      }
      await Bun.sleep(SETTLE_MS)
      run.after_groups_settled = memory(proc.pid)
    }
    return run
  } finally {
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
    await proc.exited
    clearTimeout(timer)
  }
}

// ---------------------------------------------------------------- summary

interface Stat {
  median: number
  min: number
  max: number
  /** max - min: how far two runs of the same variant can lie apart. */
  spread: number
}

function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return {
    median: round(median),
    min: round(s[0]!),
    max: round(s.at(-1)!),
    spread: round(s.at(-1)! - s[0]!),
  }
}

function summarize(runs: Run[]) {
  const by = <T>(f: (r: Run) => T) => runs.map(f)
  const summary = {
    runs: runs.length,
    ready_ms: stat(by((r) => r.ready_ms)),
    idle_rss_mb: stat(by((r) => r.idle.rss_mb)),
    idle_anon_mb: stat(by((r) => r.idle.anon_mb)),
    idle_file_mb: stat(by((r) => r.idle.file_mb)),
    at_ready_rss_mb: stat(by((r) => r.at_ready.rss_mb)),
    groups: undefined as
      | { name: string; first_request_ms: Stat; rss_after_mb: Stat }[]
      | undefined,
    after_groups_settled_rss_mb: undefined as Stat | undefined,
  }
  if (runs[0]?.groups) {
    summary.groups = GROUPS.map((g) => {
      const of = runs.map((r) => r.groups!.find((x) => x.name === g.name)!)
      return {
        name: g.name,
        first_request_ms: stat(of.map((x) => x.first_request_ms)),
        rss_after_mb: stat(of.map((x) => x.after.rss_mb)),
      }
    })
    summary.after_groups_settled_rss_mb = stat(runs.map((r) => r.after_groups_settled!.rss_mb))
  }
  return summary
}
type Summary = ReturnType<typeof summarize>

/** A difference of medians, and whether it is larger than either variant's own spread. */
function compare(a: Stat, b: Stat) {
  const difference = round(b.median - a.median)
  const noise = Math.max(a.spread, b.spread)
  return { difference, noise: round(noise), beyond_noise: Math.abs(difference) > noise }
}

// ---------------------------------------------------------------- report

const fmt = (s: Stat) => `${s.median} (${s.min}-${s.max})`
const signed = (n: number) => `${n > 0 ? '+' : ''}${n}`
const verdict = (c: ReturnType<typeof compare>) =>
  c.beyond_noise ? 'beyond the spread' : 'within the spread'

function idleTable(r: Report): string {
  const shipped = r.variants.find((x) => x.key === 'shipped')
  const rows = r.variants.map((x) => {
    const s = x.summary
    let vsShipped = '-'
    if (shipped && x !== shipped) {
      const c = compare(shipped.summary.idle_rss_mb, s.idle_rss_mb)
      vsShipped = `${signed(c.difference)}${c.beyond_noise ? '' : ' (within spread)'}`
    }
    const idle = [fmt(s.idle_rss_mb), s.idle_anon_mb.median, s.idle_file_mb.median]
    return [x.label, fmt(s.ready_ms), ...idle, vsShipped]
  })
  const headers = [
    'variant',
    'ready ms',
    'idle RSS MB',
    'anonymous',
    'file-backed',
    'vs sources MB',
  ]
  return table(headers, rows)
}

function eagerAgainstLazy(r: Report, eager: Summary, lazies: [string, Summary][]): string[] {
  const rows = eager.groups!.map((g, i) => {
    const of = lazies.map(([, l]) => l.groups![i]!)
    return [
      g.name,
      fmt(g.first_request_ms),
      ...of.map((l) => fmt(l.first_request_ms)),
      fmt(g.rss_after_mb),
      ...of.map((l) => fmt(l.rss_after_mb)),
    ]
  })
  rows.push([
    '(settled)',
    '',
    ...lazies.map(() => ''),
    fmt(eager.after_groups_settled_rss_mb!),
    ...lazies.map(([, l]) => fmt(l.after_groups_settled_rss_mb!)),
  ])
  const names = lazies.map(([label]) => label)
  const headers = ['group', 'first request ms, eager', ...names, 'RSS MB after, eager', ...names]
  const findings = lazies.map(([label, lazy]) => {
    const idle = compare(eager.idle_rss_mb, lazy.idle_rss_mb)
    const ready = compare(eager.ready_ms, lazy.ready_ms)
    const settled = compare(eager.after_groups_settled_rss_mb!, lazy.after_groups_settled_rss_mb!)
    return (
      `- ${label}: idle RSS ${signed(idle.difference)} MB against eager (spread up to ` +
      `${idle.noise} MB: ${verdict(idle)}); ready ${signed(ready.difference)} ms (spread up to ` +
      `${ready.noise} ms: ${verdict(ready)}); every group answered once, ${r.settle_seconds} s ` +
      `later, ${signed(settled.difference)} MB (spread up to ${settled.noise} MB: ` +
      `${verdict(settled)}).`
    )
  })
  return [
    '## Eager against lazy',
    '',
    'See Variants for what each defers. The admin back office shares routers and handler modules',
    "with the public routes and loads at start-up in every variant. Each group's first request, in",
    `this order, then RSS ${AFTER_REQUEST_MS / 1000} s later; "settled" is ` +
      `${r.settle_seconds} s after the last.`,
    '',
    table(headers, rows),
    '',
    ...findings,
    '',
  ]
}

function target(
  sources: Summary,
  floor: Summary,
  stackFloor: Summary | undefined,
  bundled: Summary | undefined,
): string[] {
  const f = floor
  const above = (k: 'idle_rss_mb' | 'idle_anon_mb' | 'idle_file_mb') =>
    round(sources[k].median - f[k].median)
  const percent = (x: Summary) => Math.round((x.idle_rss_mb.median / TARGET_MB) * 100)
  return [
    `## The ${TARGET_MB} MB idle target`,
    '',
    'The floor is Bun.serve answering 200 with a connected postgres.js pool',
    `(bench/lib/floor-server.ts): ${f.idle_rss_mb.median} MB idle, ${f.idle_anon_mb.median} ` +
      `anonymous + ${f.idle_file_mb.median} file-backed (Bun's executable paged in), ` +
      `${percent(f)} % of the target. The app from its sources ` +
      `idles at ${sources.idle_rss_mb.median} MB, ${above('idle_rss_mb')} MB above the ` +
      `floor (${above('idle_anon_mb')} anonymous, ${above('idle_file_mb')} file-backed)` +
      (bundled ? `; the bundle the image runs at ${bundled.idle_rss_mb.median} MB.` : '.'),
    '',
    ...(stackFloor
      ? [
          'With the libraries the design fixes loaded and used, and none of the service ' +
            '(bench/lib/stack-floor-server.ts: an @hono/zod-openapi app with one zod-checked ' +
            'route, drizzle over the same pool), the floor is ' +
            `${stackFloor.idle_rss_mb.median} MB (${stackFloor.idle_anon_mb.median} anonymous + ` +
            `${stackFloor.idle_file_mb.median} file-backed), ${percent(stackFloor)} % of the ` +
            'target. ' +
            (stackFloor.idle_rss_mb.median > TARGET_MB
              ? 'The target is below what that stack takes on this runtime before the service ' +
                'adds a route.'
              : `Under ${TARGET_MB} MB the service itself would have ` +
                `${round(TARGET_MB - stackFloor.idle_rss_mb.median)} MB.`),
          '',
        ]
      : []),
  ]
}

function markdown(r: Report): string {
  const summary = (key: string) => r.variants.find((x) => x.key === key)?.summary
  const shipped = summary('shipped')
  const eager = summary('eager')
  const floor = summary('floor')
  const lazies = (['shipped', 'lazy-groups'] as const).flatMap((key) => {
    const found = r.variants.find((x) => x.key === key)
    return found ? [[found.label, found.summary] as [string, Summary]] : []
  })
  return [
    preamble('Start-up benchmark', r),
    'The machine is shared with other work (see the load averages): start-up times are',
    'indicative; RSS moves much less with load.',
    '',
    `Database: \`${r.database}\` created for the run, seeded with ` +
      `\`bun src/seed/seed.ts ${r.seed.join(' ')}\`, dropped afterwards. Each run is a fresh ` +
      'process, `bun <variant>` from the project root, NODE_ENV=production, LOG_LEVEL=info (to ' +
      '/dev/null), pool 3 + 3, GC every 30 s. Ready: from spawn to the first 200 of GET ' +
      `/api/health/ready (polled every ${READY_POLL_MS} ms). Idle: VmRSS, RssAnon and RssFile ` +
      `from /proc/<pid>/status ${r.settle_seconds} s after ready. ${r.runs} runs per variant, ` +
      'interleaved: round k starts with variant k.',
    '',
    '## Idle, per variant',
    '',
    'Medians, (min-max) over the runs; RSS in MB, times in ms. "vs sources" is the difference of',
    'idle RSS medians, "within spread" when smaller than either variant\'s own max - min.',
    '',
    idleTable(r),
    '',
    ...(eager && lazies.length > 0 ? eagerAgainstLazy(r, eager, lazies) : []),
    ...(shipped && floor
      ? target(shipped, floor, summary('stack-floor'), summary('bundled'))
      : []),
    '## Variants',
    '',
    ...r.variants.map((x) => `- ${x.label}: \`${x.command}\`${envText(x.env)}. ${x.about}`),
    '',
  ].join('\n')
}

const envText = (env: Record<string, string>) => {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`)
  return pairs.length ? ` with ${pairs.join(' ')}` : ''
}

// ---------------------------------------------------------------- main

async function main() {
  const only = opts.only?.split(',').map((s) => s.trim())
  const variants = only ? VARIANTS.filter((x) => only.includes(x.key)) : VARIANTS
  if (variants.length === 0) throw new Error(`--only matches none of ${VARIANTS.map((x) => x.key)}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'booking-startup-'))
  const postgresVersion = await createScratchDatabase(DATABASE_URL)
  const ctx: RunContext = { dataDir, bundle: '', token: '' }
  let removeBundle = () => {}
  try {
    seed(join(dataDir, 'uploads'))
    if (variants.some((x) => x.argv.includes(BUNDLE))) {
      const built = await buildScratchBundle('bench-startup')
      removeBundle = built.remove
      ctx.bundle = built.entry
    }
    // One unmeasured start each: files in the page cache for all alike, the admin created once.
    for (const variant of variants) {
      console.log(`warm-up: ${variant.key}`)
      await measure(variant, ctx, 0)
    }
    ctx.token = await adminToken()
    const runs: Run[] = []
    for (let k = 0; k < RUNS; k++) {
      const first = k % variants.length
      const order = [...variants.slice(first), ...variants.slice(0, first)]
      for (const variant of order) {
        const run = await measure(variant, ctx, k + 1)
        console.log(
          `round ${k + 1} ${variant.key}: ready ${run.ready_ms} ms, idle ${run.idle.rss_mb} MB` +
            ` (${run.idle.anon_mb} anon + ${run.idle.file_mb} file)`,
        )
        runs.push(run)
      }
    }
    const result = {
      database: dbName,
      seed: SEED,
      runs: RUNS,
      settle_seconds: SETTLE_MS / 1000,
      variants: variants.map((x) => ({
        key: x.key,
        label: x.label,
        command: ['bun', ...x.argv.map((a) => (a === BUNDLE ? '<bundle>' : a))].join(' '),
        env: x.env ?? {},
        about: x.about,
        summary: summarize(runs.filter((r) => r.variant === x.key)),
      })),
      samples: runs,
    }
    return { result, versions: { postgresql: postgresVersion } }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
    removeBundle()
    if (!opts['keep-db']) await dropScratchDatabase(DATABASE_URL)
  }
}

type Report = Stamped<Awaited<ReturnType<typeof main>>['result']>

await runBench('startup', opts.render, markdown, main)

