// `bun run bench`: the app against a bare Bun.serve + postgres.js ceiling (bench/ceiling.ts) on a
// PostgreSQL database seeded with 1,000,000 bookings, workload by workload (W1-W7), with the
// app's RSS over the mixed run. Results: bench/results/<date>-bench.{md,json,svg}.
//
//   bun run bench [--duration 10] [--warmup 3] [--only W2,W5a]
import { parseArgs } from 'node:util'
import {
  BENCH_DATABASE_URL,
  describeBenchDatabase,
  prepareBenchDatabase,
  removeBenchWrites,
  resetBenchDatabase,
  root,
} from './lib/database'
import { rssChartSvg } from './lib/chart'
import { combine, runLoad, type LoadResult } from './lib/load'
import { recordCeilingSql } from './lib/ceiling-sql'
import { checkParity, type ParityCheck } from './lib/parity'
import { explain, type PlanSummary } from './lib/plans'
import { machine, preamble, rerender, resultHeader, table, writeResult } from './lib/results'
import { cpuSecondsOf, mb, rssOf, rssSummary, sampleRss, type RssSample } from './lib/rss'
import { workloadInputs } from './lib/bench-setup'
import {
  MEMORY_LIMIT_MB,
  POOL,
  memoryStats,
  startApp,
  startCeiling,
  type BenchServer,
} from './lib/servers'
import { PAGE_SIZE, workloads, type Workload, type WorkloadInputs } from './lib/workloads'

const { values: args } = parseArgs({
  options: {
    render: { type: 'boolean' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
})
const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const BOOKINGS = 1_000_000
const READ_TARGET = 0.85
const CURSOR_TARGET = 1.5
const IDLE_SETTLE_MS = 5000
const MEMORY_RUN_SECONDS = 20

interface Run extends Omit<LoadResult, 'timeline' | 'histogram'> {
  /** Server CPU time per answered request. */
  cpu_us_per_request: number
}

interface WorkloadResult {
  id: string
  name: string
  requests: string
  connections: number
  read: boolean
  app: Run
  ceiling: Run
  /** app req/s over ceiling req/s. */
  ratio: number
  target: string | null
  met: boolean | null
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * The app and the ceiling under the same workload, in short slices interleaved A B B A A B B A:
 * on a shared machine, load from other processes comes and goes, and interleaving spreads it
 * over both servers instead of letting it land on whichever ran at the wrong moment.
 */
async function compare(app: BenchServer, ceiling: BenchServer, w: Workload) {
  const spec = (server: BenchServer, duration: number) => ({
    url: server.url,
    connections: w.connections,
    requests: w.load,
    duration,
  })
  for (const server of [app, ceiling]) {
    if (w.writes) await removeBenchWrites()
    await runLoad(spec(server, WARMUP))
  }
  const order = [app, ceiling, ceiling, app, app, ceiling, ceiling, app]
  const slice = (DURATION * w.durationFactor) / (order.length / 2)
  const runs = new Map<BenchServer, { results: LoadResult[]; cpu: number }>([
    [app, { results: [], cpu: 0 }],
    [ceiling, { results: [], cpu: 0 }],
  ])
  for (const server of order) {
    if (w.writes) await removeBenchWrites()
    const cpuBefore = cpuSecondsOf(server.pid)
    const result = await runLoad(spec(server, slice))
    const entry = runs.get(server)!
    // autocannon stops without waiting for answers in flight: let the server finish them before
    // the other server's slice, and count their CPU time with this one.
    await Bun.sleep(Math.min(result.latency_ms.max, 10_000))
    entry.cpu += cpuSecondsOf(server.pid) - cpuBefore
    entry.results.push(result)
  }
  const summary = (server: BenchServer): Run => {
    const { results, cpu } = runs.get(server)!
    const combined = combine(results)
    const { histogram: _, ...rest } = combined
    console.log(
      `${w.id.padEnd(4)} ${server.name.padEnd(7)} ${String(rest.rps).padStart(8)} req/s  ` +
        `p50 ${rest.latency_ms.p50} ms  p99 ${rest.latency_ms.p99} ms  ` +
        `non-2xx ${rest.non_2xx}  errors ${rest.errors}`,
    )
    return { ...rest, cpu_us_per_request: round((cpu / Math.max(rest.responses, 1)) * 1e6, 0) }
  }
  return { app: summary(app), ceiling: summary(ceiling) }
}

/** The app alone under the mixed workload, its RSS sampled every 250 ms: the memory chart. */
async function mixedMemoryRun(app: BenchServer, w: Workload) {
  await removeBenchWrites()
  const rss = sampleRss(app.pid, 250)
  const { histogram: _, timeline: __, ...result } = await runLoad({
    url: app.url,
    connections: w.connections,
    requests: w.load,
    duration: MEMORY_RUN_SECONDS,
  })
  return { result, samples: rss.stop() }
}

/** How PostgreSQL runs the list and count queries behind W3, W5 and W7's admin list. */
async function queryPlans(url: string, i: WorkloadInputs): Promise<PlanSummary[]> {
  const q = await recordCeilingSql(url)
  const [, afterStart, afterId] = JSON.parse(Buffer.from(i.deepCursor, 'base64url').toString())
  const limit = PAGE_SIZE + 1
  const userId = i.users[0]!.userId
  return explain(url, [
    { query: 'W3 list, a user\'s page 1', template: q.ownPage, values: { userId, limit: 51 } },
    { query: 'W3 count, a user\'s bookings', template: q.ownCount, values: { userId } },
    { query: 'W5a list, page 1', template: q.adminPage, values: { ...i.range, limit } },
    {
      query: `W5b list, page ${i.deepPage} by offset`,
      template: q.adminOffsetPage,
      values: { ...i.range, limit, offset: (i.deepPage - 1) * PAGE_SIZE },
    },
    {
      query: `W5c list, page ${i.deepPage} by cursor`,
      template: q.adminCursorPage,
      values: { ...i.range, limit, afterStart, afterId },
    },
    { query: 'W5 count, the whole range', template: q.adminCount, values: i.range },
    { query: 'W7 count, one week', template: q.adminCount, values: i.week },
  ])
}

async function main() {
  const started = new Date()
  const url = await prepareBenchDatabase(BOOKINGS)
  await resetBenchDatabase(url)
  const seeded = await describeBenchDatabase(url)
  const machineInfo = machine()
  console.log(`bench database: ${seeded.bookings} seeded bookings, PostgreSQL ${seeded.postgres}`)

  const app = await startApp(url)
  const ceiling = await startCeiling(url)
  try {
    await Bun.sleep(2000)
    const idleStart = { app: rssOf(app.pid), ceiling: rssOf(ceiling.pid) }
    const inputs = await workloadInputs(app.url, seeded)
    const list = workloads(inputs).filter(
      (w) => !args.only || args.only.split(',').includes(w.id),
    )

    const parity: ParityCheck[] = await checkParity(app.url, ceiling.url, list)
    await resetBenchDatabase(url)
    const broken = parity.filter((p) => !p.same)
    if (broken.length > 0) {
      throw new Error(`the ceiling answers differently: ${JSON.stringify(broken, null, 2)}`)
    }
    console.log(`parity: the ceiling answers ${parity.length} workloads like the app`)

    const results: WorkloadResult[] = []
    for (const w of list) {
      const { app: appRun, ceiling: ceilingRun } = await compare(app, ceiling, w)
      const ratio = round(appRun.rps / ceilingRun.rps)
      results.push({
        id: w.id,
        name: w.name,
        requests: w.requests,
        connections: w.connections,
        read: w.read,
        app: appRun,
        ceiling: ceilingRun,
        ratio,
        target: w.read ? `>= ${READ_TARGET}x` : null,
        met: w.read ? ratio >= READ_TARGET : null,
      })
    }
    const mixedWorkload = list.find((w) => w.id === 'W7')
    const mixed = mixedWorkload ? await mixedMemoryRun(app, mixedWorkload) : undefined
    await removeBenchWrites(url)
    await Bun.sleep(IDLE_SETTLE_MS)
    const idleEnd = { app: rssOf(app.pid), ceiling: rssOf(ceiling.pid) }
    const appMemory = await memoryStats(app.url)
    const plans = await queryPlans(url, inputs)

    const find = (id: string) => results.find((r) => r.id === id)
    const [page1, deep, cursor] = [find('W5a'), find('W5b'), find('W5c')]
    const depth =
      page1 && deep && cursor
        ? {
            depth_rows: (inputs.deepPage - 1) * PAGE_SIZE,
            page1_p50_ms: page1.app.latency_ms.p50,
            deep_page_p50_ms: deep.app.latency_ms.p50,
            cursor_p50_ms: cursor.app.latency_ms.p50,
            cursor_over_page1: round(cursor.app.latency_ms.p50 / page1.app.latency_ms.p50),
            deep_page_over_page1: round(deep.app.latency_ms.p50 / page1.app.latency_ms.p50),
            cursor_rps_over_page1: round(cursor.app.rps / page1.app.rps),
            target: `cursor p50 <= ${CURSOR_TARGET}x page 1`,
            met: cursor.app.latency_ms.p50 / page1.app.latency_ms.p50 <= CURSOR_TARGET,
          }
        : null

    const result = {
      ...(await resultHeader(started.toISOString(), machineInfo, root, {
        PostgreSQL: seeded.postgres,
      })),
      settings: {
        database: BENCH_DATABASE_URL,
        seeded_bookings: seeded.bookings,
        duration_s: DURATION,
        warmup_s: WARMUP,
        pool: Number(POOL.DB_POOL_SIZE) + Number(POOL.DB_MAX_OVERFLOW),
        memory_limit_mb: MEMORY_LIMIT_MB,
        app_log_level: 'warn',
      },
      parity,
      workloads: results,
      plans,
      pagination_depth: depth,
      memory: {
        app: {
          idle_after_start_mb: mb(idleStart.app),
          mixed_run: mixed
            ? {
                seconds: MEMORY_RUN_SECONDS,
                connections: mixedWorkload!.connections,
                rps: mixed.result.rps,
                latency_ms: mixed.result.latency_ms,
                non_2xx: mixed.result.non_2xx,
                errors: mixed.result.errors,
                rss: rssSummary(mixed.samples),
              }
            : null,
          idle_after_run_mb: mb(idleEnd.app),
          guard: {
            state: appMemory.state,
            limit_mb: mb(appMemory.limit_bytes),
            limit_source: appMemory.limit_source,
            shed_total: appMemory.shed_total,
          },
        },
        ceiling: {
          idle_after_start_mb: mb(idleStart.ceiling),
          idle_after_run_mb: mb(idleEnd.ceiling),
        },
        samples: mixed?.samples ?? [],
      },
    }
    const svg = mixed
      ? rssChartSvg(
          [{ label: 'app (bun src/index.ts)', samples: mixed.samples }],
          `App RSS during the mixed workload W7 (${MEMORY_RUN_SECONDS} s, ${mixedWorkload!.connections} connections)`,
          { caption: 'seconds into the run; RSS sampled every 250 ms' },
        )
      : undefined
    const base = writeResult('bench', result, markdown(result), svg ? { '.svg': svg } : {})
    console.log(`results: ${base}.md`)
  } catch (error) {
    console.error(`app output:\n${app.output()}\nceiling output:\n${ceiling.output()}`)
    throw error
  } finally {
    await app.stop()
    await ceiling.stop()
    await resetBenchDatabase(url)
  }
}

type Result = {
  date: string
  command: string
  machine: ReturnType<typeof machine>
  load_average_at_end: number[]
  versions: object
  settings: {
    seeded_bookings: number
    duration_s: number
    warmup_s: number
    pool: number
    memory_limit_mb: number
  }
  workloads: WorkloadResult[]
  plans: PlanSummary[]
  pagination_depth: {
    depth_rows: number
    page1_p50_ms: number
    deep_page_p50_ms: number
    cursor_p50_ms: number
    cursor_over_page1: number
    deep_page_over_page1: number
    cursor_rps_over_page1: number
    met: boolean
  } | null
  memory: {
    app: {
      idle_after_start_mb: number
      mixed_run: {
        seconds: number
        connections: number
        rps: number
        latency_ms: LoadResult['latency_ms']
        non_2xx: number
        errors: number
        rss: ReturnType<typeof rssSummary>
      } | null
      idle_after_run_mb: number
      guard: { state: string; limit_mb: number; limit_source: string; shed_total: number }
    }
    ceiling: { idle_after_start_mb: number; idle_after_run_mb: number }
  }
}

const verdict = (w: WorkloadResult) => {
  if (!w.target) return '-'
  return `${w.target}: ${w.met ? 'met' : `**missed by ${round(READ_TARGET - w.ratio)}x**`}`
}
const lat = (r: Run) => `${r.latency_ms.p50} / ${r.latency_ms.p95} / ${r.latency_ms.p99}`
const failures = (r: Run) => r.non_2xx + r.errors

function markdown(r: Result): string {
  const s = r.settings
  const rows = r.workloads.map((w) => [
    `${w.id} ${w.name}`,
    w.connections,
    w.app.rps,
    w.ceiling.rps,
    `${w.ratio}x`,
    lat(w.app),
    lat(w.ceiling),
    `${failures(w.app)} / ${failures(w.ceiling)}`,
    `${w.app.cpu_us_per_request} / ${w.ceiling.cpu_us_per_request}`,
    verdict(w),
  ])
  const missed = r.workloads.filter((w) => w.met === false)
  const d = r.pagination_depth
  const m = r.memory
  const mixed = m.app.mixed_run
  const out = [
    preamble('Benchmark: app vs. bare ceiling', r),
    `PostgreSQL \`bench\` database seeded by \`bun src/seed/seed.ts\` with ${s.seeded_bookings.toLocaleString('en-US')} bookings (1,000 users, 58 venues). ` +
      `Each workload runs against the app (\`bun src/index.ts\`, LOG_LEVEL=warn, MEMORY_LIMIT_MB=${s.memory_limit_mb}, pool ${s.pool}) ` +
      `and against the ceiling (\`bench/ceiling.ts\`, pool ${s.pool}) with autocannon on loopback: ${s.warmup_s} s of warm-up each, ` +
      `then ${s.duration_s} s each (W5, whose requests take hundreds of ms, 1.5 times that) in four slices interleaved app, ceiling, ceiling, app, app, ceiling, ceiling, app, ` +
      'so that load from other processes falls on both alike. Figures per server are over all its slices (latency percentiles from the merged histograms). ' +
      'Bookings created by a slice are deleted before the next, so every slice starts from the seeded rows.',
    '',
    '## Throughput and latency',
    '',
    table(
      [
        'workload',
        'conns',
        'app req/s',
        'ceiling req/s',
        'ratio',
        'app p50 / p95 / p99 ms',
        'ceiling p50 / p95 / p99 ms',
        'non-2xx+errors app / ceiling',
        'server CPU µs/req app / ceiling',
        'target',
      ],
      rows,
    ),
    '',
    'Requests:',
    '',
    ...r.workloads.map((w) => `- ${w.id}: ${w.requests}`),
    '',
  ]
  if (d) {
    out.push(
      '## Pagination depth (W5)',
      '',
      `The range holds every seeded booking; the deep page starts ${d.depth_rows.toLocaleString('en-US')} rows in. Each request also counts the range (the \`total\`).`,
      '',
      table(
        ['app', 'p50 ms', 'vs page 1'],
        [
          ['page 1', d.page1_p50_ms, '1x'],
          [`deep \`page\``, d.deep_page_p50_ms, `${d.deep_page_over_page1}x`],
          ['`cursor` at the same depth', d.cursor_p50_ms, `${d.cursor_over_page1}x`],
        ],
      ),
      '',
      `Target: cursor within ${CURSOR_TARGET}x of page 1 — ${d.met ? 'met' : `**missed** (${d.cursor_over_page1}x)`} ` +
        `(by throughput: cursor ${d.cursor_rps_over_page1}x page 1's req/s).`,
      '',
    )
  }
  out.push(
    '## Query plans',
    '',
    'EXPLAIN ANALYZE of the recorded statements with the workloads\' values, after the runs (one execution each, warm cache):',
    '',
    table(
      ['query', 'scans', 'ms'],
      r.plans.map((p) => [p.query, p.scans.join('; '), p.execution_ms]),
    ),
    '',
  )
  out.push(
    '## Memory',
    '',
    table(
      ['RSS (MB)', 'app', 'ceiling'],
      [
        ['idle after start-up', m.app.idle_after_start_mb, m.ceiling.idle_after_start_mb],
        [
          mixed
            ? `W7 alone for ${mixed.seconds} s (${mixed.rps} req/s): min / mean / max / end`
            : 'W7',
          mixed
            ? [mixed.rss.min_mb, mixed.rss.mean_mb, mixed.rss.max_mb, mixed.rss.last_mb].join(' / ')
            : '-',
          '-',
        ],
        [
          `idle ${IDLE_SETTLE_MS / 1000} s after the last run`,
          m.app.idle_after_run_mb,
          m.ceiling.idle_after_run_mb,
        ],
      ],
    ),
    '',
    `Memory guard at the end: state ${m.app.guard.state}, limit ${m.app.guard.limit_mb} MB ` +
      `(${m.app.guard.limit_source}), ${m.app.guard.shed_total} requests shed in the whole run.`,
    '',
    mixed
      ? `![App RSS during the mixed workload](${r.date.slice(0, 10)}-bench.svg)\n\n` +
          `The chart is a separate ${mixed.seconds} s run of W7 against the app alone, after the comparison ` +
          `(p50 ${mixed.latency_ms.p50} ms, p99 ${mixed.latency_ms.p99} ms, ${mixed.non_2xx + mixed.errors} failures).`
      : '',
    '',
    '## Reading the results',
    '',
    '- The machine has 2 cores. autocannon (Node), the server under test and PostgreSQL share them, so every figure here is lower than on a machine where the load generator runs elsewhere, and the ratio compares two servers under the same handicap.',
    `- Other work ran on the machine: the load average was ${r.machine.load_average[0]} at the start and ${r.load_average_at_end[0]} at the end, on 2 cores. ` +
      'Absolute figures can differ by a factor of two from one run to the next under such load. The ratios come from interleaved slices and are steadier, yet moved by up to a third between runs while this benchmark was built: read a miss of a few hundredths as within the noise, a miss of tenths as real.',
    '- The ceiling runs the app\'s own SQL text (recorded from its query builders at start-up, `bench/lib/ceiling-sql.ts`) as prepared statements on a pool of the same size, and answers with the same JSON (checked before the load: the parity list in the JSON file). It skips everything else: JWT verification, zod validation, the middleware chain (request id, access log, metrics, CORS, security headers, memory guard, body limit, compression, cache). The gap between the two columns is that overhead; the server CPU per request column measures it (CPU time of the server process over the answers it gave).',
    '- Where the app\'s extra CPU goes, from profiles and strace taken while this benchmark was built (not part of the run). ' +
      'The hot reads run as prepared statements like the ceiling\'s (a user\'s page with its count and items, booking by id, venues), JWTs are verified with node:crypto and headers are set in place; ' +
      'what remains is hono\'s router and middleware frames, zod validation, and drizzle\'s overhead per query (about 10 µs) and row mapping. ' +
      'W3\'s page is 15.8 KB: from 15 KiB on, Bun 1.4.5 writes every response header with its own send call (78 sends per response for the app\'s ~19 headers, 22 for the ceiling\'s 4), about 14 µs of CPU per header, most of W3\'s remaining gap. ' +
      'Booking creation (W6) and the admin lists run unprepared: the admin ranges vary too much in selectivity for one shared plan.',
    '- W4 is answered from the app\'s response cache (TTL 60 s): there the app does less work than the ceiling, which queries every time.',
    '- W5 counts the whole range (1,000,000 rows) for `total` on every request, page 1, deep page and cursor alike, so the count, not the page, is most of each request (see the plans). The deep `page` adds an offset walk of ~1,000,000 index entries; the cursor starts at its key.',
  )
  const week = r.plans.find((p) => p.query.startsWith('W7 count'))
  if (week?.scans.some((scan) => scan.includes('Seq Scan'))) {
    out.push(
      `- W7's admin list counts one week with \`start_datetime < to AND end_datetime > from\`: only the first bound is an index range, so the count reads every booking that starts before \`to\` (${week.scans.join('; ')}: ${week.execution_ms} ms for one week, see the plans). ` +
        'One request in twelve is that list, so it makes W7\'s slow tail (p95, p99), and while it scans it takes CPU from every other request.',
    )
  }
  if (missed.length > 0) {
    out.push(
      '',
      '## Targets missed',
      '',
      ...missed.map(
        (w) =>
          `- ${w.id} ${w.name}: ${w.ratio}x the ceiling, ${round(READ_TARGET - w.ratio)}x short of ${READ_TARGET}x. ` +
          `The app spent ${w.app.cpu_us_per_request} µs of CPU per request against the ceiling's ${w.ceiling.cpu_us_per_request} µs: ` +
          `${round(w.app.cpu_us_per_request - w.ceiling.cpu_us_per_request, 0)} µs of framework work per request on cores the load generator and PostgreSQL also need.`,
      ),
    )
  }
  out.push('')
  return out.join('\n')
}

if (args.render) rerender<Result>('bench', markdown)
else await main()
