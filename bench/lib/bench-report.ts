// The results of `bun run bench` (bench/run.ts): their shape, and their Markdown report.
import type { LoadResult } from './load'
import type { ParityCheck } from './parity'
import type { PlanSummary } from './plans'
import { machine, preamble, round, table } from './results'
import type { rssSummary } from './rss'

export const READ_TARGET = 0.85
export const WRITE_TARGET = 0.7
/** Idle targets, counted as a container is charged: anonymous memory, and all of it. */
export const IDLE_ANON_TARGET_MB = 30
export const IDLE_OVER_STACK_FLOOR_MB = 15
/** Peak under the mixed load with the JIT on, at a 512 MB budget. */
export const MIXED_PEAK_TARGET_MB = 100
export const MIXED_PEAK_LIMIT_MB = 512

export interface Run extends Omit<LoadResult, 'timeline' | 'histogram'> {
  /** Server CPU time per answered request. */
  cpu_us_per_request: number
}

export interface WorkloadResult {
  id: string
  name: string
  requests: string
  connections: number
  read: boolean
  app: Run
  ceiling: Run
  fastapi: Run | null
  /** app req/s over ceiling req/s. */
  ratio: number
  /** app req/s over the FastAPI peer's. */
  over_fastapi: number | null
  /** The ratio target, where the app runs with its JIT (no limit, or one of 256 MB and more). */
  target: number | null
  met: boolean | null
}

export interface MemoryParts {
  rss_mb: number
  anon_mb: number
  file_mb: number
}

export interface VariantResult {
  label: string
  limit_mb: number | null
  jit: 'on' | 'off'
  /** The runtime variables the app ran with (set by src/app/runtime.ts or by hand). */
  runtime: Record<string, string>
  parity: ParityCheck[]
  workloads: WorkloadResult[]
  memory: {
    idle_after_start: MemoryParts
    mixed_run: {
      seconds: number
      connections: number
      rps: number
      non_2xx: number
      errors: number
      /** VmHWM over the run: the kernel's peak, spikes between samples included. */
      peak_rss_mb: number
      peak_anon_mb: number
      rss: ReturnType<typeof rssSummary>
      /** Every state the memory guard was seen in (polled each second). */
      guard_states: string[]
      shed: number
    } | null
    idle_after_run: MemoryParts
  }
}

export interface Result {
  date: string
  command: string
  machine: ReturnType<typeof machine>
  load_average_at_end: number[]
  versions: object
  settings: {
    database: string
    seeded_bookings: number
    duration_s: number
    warmup_s: number
    passes: number
    connections: number[]
    pool: number
    pinning: string
    app_cache: string
    fastapi: string
    /** How the app and the stack floor were run (earlier reports: from their sources). */
    app_run?: string
    stack_floor_run?: string
  }
  floors: {
    ceiling: MemoryParts
    stack_floor: MemoryParts | null
    fastapi: MemoryParts | null
  }
  variants: VariantResult[]
  plans: PlanSummary[]
}

const lat = (r: Run) => `${r.latency_ms.p50} / ${r.latency_ms.p99}`
const fails = (r: Run | null) => (r ? r.non_2xx + r.errors : '-')

function verdict(w: WorkloadResult) {
  const floor =
    w.over_fastapi === null ? '' : w.over_fastapi >= 1 ? '' : '; **below FastAPI**'
  if (w.target === null) return `no ratio target${floor}`
  return `>= ${w.target}x: ${w.met ? 'met' : `**missed by ${round(w.target - w.ratio)}x**`}${floor}`
}

function variantTable(v: VariantResult): string {
  return table(
    [
      'workload',
      'conns',
      'app req/s',
      'ceiling req/s',
      'FastAPI req/s',
      'app / ceiling',
      'app / FastAPI',
      'p50 / p99 ms app, ceiling',
      'CPU µs/req app / ceiling',
      'failures app / ceiling / FastAPI',
      'target',
    ],
    v.workloads.map((w) => [
      `${w.id} ${w.name}`,
      w.connections,
      w.app.rps,
      w.ceiling.rps,
      w.fastapi?.rps ?? '-',
      `${w.ratio}x`,
      w.over_fastapi === null ? '-' : `${w.over_fastapi}x`,
      `${lat(w.app)}, ${lat(w.ceiling)}`,
      `${w.app.cpu_us_per_request} / ${w.ceiling.cpu_us_per_request}`,
      `${fails(w.app)} / ${fails(w.ceiling)} / ${fails(w.fastapi)}`,
      verdict(w),
    ]),
  )
}

const parts = (p: MemoryParts) => `${p.rss_mb} (${p.anon_mb} anon + ${p.file_mb} file)`

function memorySection(r: Result): string[] {
  const stack = r.floors.stack_floor
  const rows = r.variants.map((v) => {
    const m = v.memory
    const mixed = m.mixed_run
    return [
      v.label,
      parts(m.idle_after_start),
      mixed ? `${mixed.peak_rss_mb} / ${mixed.peak_anon_mb}` : '-',
      mixed ? mixed.rps : '-',
      mixed ? `${mixed.guard_states.join(', ')}; ${mixed.shed} shed` : '-',
      parts(m.idle_after_run),
    ]
  })
  const out = [
    '## Memory',
    '',
    'MB from /proc/<pid>/status: VmRSS split into RssAnon (the process\'s own heap and stacks, ' +
      'what a container is charged for first) and RssFile (the executable and libraries paged in). ' +
      'Peak: VmHWM over the mixed run (the kernel\'s own peak) / the highest RssAnon sampled every 250 ms.',
    '',
    table(
      ['app', 'idle after start', 'W7 peak RSS / anon', 'W7 req/s', 'guard under W7', 'idle after the runs'],
      rows,
    ),
    '',
    `Floors, idle: the ceiling ${parts(r.floors.ceiling)}` +
      (stack
        ? `; the stack floor (${r.settings.stack_floor_run ?? 'bench/lib/stack-floor-server.ts'}: hono + zod-openapi + drizzle + postgres.js, one route) ${parts(stack)}`
        : '') +
      (r.floors.fastapi ? `; FastAPI ${parts(r.floors.fastapi)}` : '') +
      '.',
    '',
  ]
  const unlimited = r.variants.find((v) => v.limit_mb === null) ?? r.variants[0]
  if (unlimited) {
    const idle = unlimited.memory.idle_after_start
    const anonMet = idle.anon_mb <= IDLE_ANON_TARGET_MB
    out.push(
      `- Idle anonymous RSS (${unlimited.label}): ${idle.anon_mb} MB, target <= ${IDLE_ANON_TARGET_MB} MB: ${anonMet ? 'met' : '**missed**'}.`,
    )
    if (stack) {
      const bound = round(stack.rss_mb + IDLE_OVER_STACK_FLOOR_MB, 1)
      out.push(
        `- Idle total RSS: ${idle.rss_mb} MB, target <= the stack floor + ${IDLE_OVER_STACK_FLOOR_MB} MB = ${bound} MB: ${idle.rss_mb <= bound ? 'met' : '**missed**'}.`,
      )
    }
  }
  const at512 = r.variants.find((v) => v.limit_mb === MIXED_PEAK_LIMIT_MB && v.jit === 'on')
  if (at512?.memory.mixed_run) {
    const peak = at512.memory.mixed_run.peak_rss_mb
    out.push(
      `- Peak under W7 at ${MIXED_PEAK_LIMIT_MB} MB, JIT on: ${peak} MB, target <= ${MIXED_PEAK_TARGET_MB} MB: ${peak <= MIXED_PEAK_TARGET_MB ? 'met' : '**missed**'}.`,
    )
  }
  out.push('')
  return out
}

/** Per budget, the settings that kept the guard out of `high` under W7, fastest first. */
function jitSection(r: Result): string[] {
  const limited = r.variants.filter((v) => v.limit_mb !== null && v.memory.mixed_run)
  const budgets = [...new Set(limited.map((v) => v.limit_mb!))]
  if (!limited.some((v) => limited.some((o) => o.limit_mb === v.limit_mb && o.jit !== v.jit))) {
    return []
  }
  const lines = budgets.map((mb) => {
    const tried = limited.filter((v) => v.limit_mb === mb)
    const calm = tried
      .filter((v) => v.memory.mixed_run!.guard_states.every((s) => s === 'ok'))
      .sort((a, b) => b.memory.mixed_run!.rps - a.memory.mixed_run!.rps)
    const each = tried
      .map((v) => `JIT ${v.jit} ${v.memory.mixed_run!.rps} req/s, guard ${v.memory.mixed_run!.guard_states.join('/')}, peak ${v.memory.mixed_run!.peak_rss_mb} MB`)
      .join('; ')
    return `- ${mb} MB: ${each}. Choice: ${calm[0] ? `JIT ${calm[0].jit}` : 'none stayed out of `high`'}.`
  })
  return ['## The JIT under a budget', '', 'The fastest setting whose guard stayed `ok` under W7:', '', ...lines, '']
}

export function markdown(r: Result): string {
  const s = r.settings
  const missed = r.variants.flatMap((v) =>
    v.workloads
      .filter((w) => w.met === false || (w.over_fastapi !== null && w.over_fastapi < 1))
      .map((w) => `- ${v.label}, ${w.id} ${w.name} at ${w.connections} connections: ${w.ratio}x the ceiling` +
        (w.over_fastapi === null ? '' : `, ${w.over_fastapi}x FastAPI`) +
        ` (CPU per request ${w.app.cpu_us_per_request} µs against the ceiling's ${w.ceiling.cpu_us_per_request} µs).`),
  )
  const workloads = r.variants[0]?.workloads ?? []
  const requests = [...new Map(workloads.map((w) => [w.id, w.requests])).entries()]
  return [
    preamble('Benchmark: app vs. bare ceiling and the FastAPI floor', r),
    `PostgreSQL database seeded by \`bun src/seed/seed.ts\` with ${s.seeded_bookings.toLocaleString('en-US')} bookings (1,000 users), vacuumed and analysed after seeding and between runs. ` +
      `Three servers run the same SQL text (the app's, recorded from its query builders) with a pool of ${s.pool} each and answer with the same JSON (checked before the load, keys sorted: the parity list in the JSON file): ` +
      `the app (${s.app_run ?? '`bun src/index.ts`'}, NODE_ENV=production, LOG_LEVEL=warn, ${s.app_cache}) at each budget below; the ceiling (\`bench/ceiling.ts\`: Bun.serve + postgres.js, prepared statements as the app prepares them (a date range's planned per run), the runtime's defaults); ` +
      `and the floor (${s.fastapi}). Load: autocannon in Node on loopback, ${s.warmup_s} s of warm-up per server, then ${s.duration_s} s per server in ${s.passes} interleaved passes ` +
      '(app, ceiling, FastAPI, then the reverse), so load from other processes falls on all alike; figures are over all of a server\'s slices, latency from the merged histograms. ' +
      `Connections: ${s.connections.join(' and ')}. Pinning: ${s.pinning}. Bookings a slice creates are deleted before the next.`,
    '',
    `Targets: reads >= ${READ_TARGET}x the ceiling, booking creation and the mix >= ${WRITE_TARGET}x, where the app runs with its JIT; in every budget no workload below the FastAPI floor.`,
    '',
    ...r.variants.flatMap((v) => [
      `## ${v.label}`,
      '',
      `Runtime: ${Object.entries(v.runtime).map(([k, val]) => `${k}=${val}`).join(', ') || "the runtime's defaults (nothing set)"}.`,
      '',
      variantTable(v),
      '',
    ]),
    'Requests:',
    '',
    ...requests.map(([id, text]) => `- ${id}: ${text}`),
    '',
    ...memorySection(r),
    ...jitSection(r),
    '## Query plans',
    '',
    'EXPLAIN ANALYZE of the recorded statements with the workloads\' values, after the runs:',
    '',
    table(['query', 'scans', 'ms'], r.plans.map((p) => [p.query, p.scans.join('; '), p.execution_ms])),
    '',
    '## Reading the results',
    '',
    `- Load average ${r.machine.load_average[0]} at the start and ${r.load_average_at_end[0]} at the end, on ${r.machine.cores} cores shared by the servers, PostgreSQL and the load generator: absolute rates move with other work; the ratios come from interleaved slices and are steadier. Read a miss of a few hundredths as noise.`,
    '- The ceiling and the floor skip everything the app does around the query: JWT verification (they read the claims unverified), validation, the middleware chain. The CPU column is the server process\'s CPU time over the answers it gave.',
    ...(missed.length > 0 ? ['', '## Targets missed', '', ...missed] : []),
    '',
  ].join('\n')
}
