// `bun run bench`: the app against a bare Bun.serve + postgres.js ceiling (bench/ceiling.ts) and a
// FastAPI + SQLAlchemy floor (bench/peers/fastapi/app.py), all three running the app's SQL on a
// PostgreSQL database seeded with 1,000,000 bookings: every workload at each connection count,
// with the app at each memory budget; the app's memory idle and under the mixed load.
// Results: bench/results/<date>-bench.{md,json}.
//
//   bun run bench [--duration 10] [--warmup 3] [--passes 2] [--connections 16,64]
//                 [--limits none,512,128] [--jit on,off] [--only W2,W7] [--bookings 1000000]
//   bun run bench --limits 160,192,256 --jit on,off --only W7    (the JIT's threshold)
//   bun run bench --render     (rewrites the latest report from its JSON)
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildScratchBundle } from '../scripts/build'
import { JIT_MIN_LIMIT } from '../src/app/runtime'
import { workloadInputs } from './lib/bench-setup'
import {
  markdown,
  READ_TARGET,
  WRITE_TARGET,
  type MemoryParts,
  type Result,
  type VariantResult,
  type WorkloadResult,
} from './lib/bench-report'
import { peerSql, recordCeilingSql } from './lib/ceiling-sql'
import { pinning } from './lib/cpus'
import {
  BENCH_DATABASE_URL,
  describeBenchDatabase,
  prepareBenchDatabase,
  removeBenchWrites,
  resetBenchDatabase,
} from './lib/database'
import { compare } from './lib/compare'
import { runLoad } from './lib/load'
import { checkParity } from './lib/parity'
import { explain, type PlanSummary } from './lib/plans'
import { round } from './lib/results'
import { benchArgs, runBench, type Measured } from './lib/script'
import { mb, peakRssOf, resetPeakRss, rssPartsOf, rssSummary, sampleRss } from './lib/rss'
import {
  fastapiMissing,
  memoryStats,
  POOL,
  buildStackFloor,
  startApp,
  startCeiling,
  startFastapi,
  startStackFloor,
  type BenchServer,
} from './lib/servers'
import { PAGE_SIZE, workloads, type Workload, type WorkloadInputs } from './lib/workloads'

const args = benchArgs({
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  passes: { type: 'string', default: '2' },
  connections: { type: 'string', default: '16,64' },
  limits: { type: 'string', default: 'none,512,128' },
  jit: { type: 'string' },
  only: { type: 'string' },
  bookings: { type: 'string', default: '1000000' },
})
const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const PASSES = Number(args.passes)
const CONNECTIONS = args.connections.split(',').map(Number)
const BOOKINGS = Number(args.bookings)
const IDLE_SETTLE_MS = 5000
const MIXED_RUN_SECONDS = Math.max(DURATION, 10)

interface Variant {
  label: string
  limitMb: number | null
  /** Set by hand; undefined leaves the app's own choice (src/app/runtime.ts). */
  jit?: 'on' | 'off'
}

function variants(): Variant[] {
  const limits = args.limits.split(',').map((l) => (l === 'none' ? null : Number(l)))
  const jits = args.jit ? (args.jit.split(',') as ('on' | 'off')[]) : [undefined]
  return limits.flatMap((limitMb) =>
    jits.map((jit) => ({
      label:
        (limitMb === null ? 'no limit' : `MEMORY_LIMIT_MB=${limitMb}`) +
        (jit ? `, JIT ${jit} by hand` : ''),
      limitMb,
      jit,
    })),
  )
}

const partsMb = (pid: number): MemoryParts => {
  const p = rssPartsOf(pid)
  return { rss_mb: mb(p.rss), anon_mb: mb(p.anon), file_mb: mb(p.file) }
}

/** The runtime's own variables a process runs with, from /proc (what src/app/runtime.ts set). */
function runtimeOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  return Object.fromEntries(
    entries
      .filter((e) => e.startsWith('BUN_JSC_'))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  )
}

/**
 * The app alone under the mixed workload: the kernel's peak RSS over the run (VmHWM, reset
 * first), RssAnon sampled every 250 ms, and the memory guard's state polled every second.
 */
async function mixedMemoryRun(app: BenchServer, w: Workload) {
  await removeBenchWrites()
  const peakKnown = resetPeakRss(app.pid)
  const shedBefore = (await memoryStats(app.url)).shed_total
  const rss = sampleRss(app.pid, 250)
  let peakAnon = 0
  const anon = setInterval(() => {
    try {
      peakAnon = Math.max(peakAnon, rssPartsOf(app.pid).anon)
    } catch {
      // the process has gone; the samples so far stand
    }
  }, 250)
  const states = new Set<string>()
  let polling = true
  const poll = (async () => {
    while (polling) {
      await memoryStats(app.url).then(
        (m) => states.add(m.state),
        () => states.add('unanswered'),
      )
      await Bun.sleep(1000)
    }
  })()
  const { histogram: _, timeline: __, ...result } = await runLoad({
    url: app.url,
    connections: w.connections,
    requests: w.load,
    duration: MIXED_RUN_SECONDS,
  })
  polling = false
  await poll
  clearInterval(anon)
  const samples = rss.stop()
  const after = await memoryStats(app.url)
  states.add(after.state)
  return {
    seconds: MIXED_RUN_SECONDS,
    connections: w.connections,
    rps: result.rps,
    non_2xx: result.non_2xx,
    errors: result.errors,
    peak_rss_mb: peakKnown ? mb(peakRssOf(app.pid)) : rssSummary(samples).max_mb,
    peak_anon_mb: mb(peakAnon),
    rss: rssSummary(samples),
    guard_states: [...states],
    shed: after.shed_total - shedBefore,
  }
}

/** How PostgreSQL runs the list and count queries behind W3, W5 and W7's admin list. */
async function queryPlans(url: string, i: WorkloadInputs): Promise<PlanSummary[]> {
  const q = await recordCeilingSql(url)
  const [, afterStart, afterId] = JSON.parse(Buffer.from(i.deepCursor, 'base64url').toString())
  const limit = PAGE_SIZE + 1
  const userId = i.users[0]!.userId
  return explain(url, [
    { query: "W3 list, a user's page 1", template: q.ownPage, values: { userId, limit: 51 } },
    { query: "W3 count, a user's bookings", template: q.ownCount, values: { userId } },
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

/** The app in one budget against the ceiling and the floor, workload by workload. */
async function measureVariant(
  v: Variant,
  url: string,
  entry: string,
  peers: BenchServer[],
  seeded: Awaited<ReturnType<typeof describeBenchDatabase>>,
  inputsOnce: { value?: WorkloadInputs },
): Promise<VariantResult> {
  console.log(`--- ${v.label}`)
  const app = await startApp(
    url,
    {
      MEMORY_LIMIT_MB: v.limitMb === null ? undefined : String(v.limitMb),
      // Every read runs its queries: the venues page measured uncached, as the ceiling answers it.
      CACHE_TTL_SECONDS: '0',
      ...(v.jit ? { BUN_JSC_useJIT: v.jit === 'on' ? '1' : '0' } : {}),
    },
    entry,
  )
  try {
    await Bun.sleep(IDLE_SETTLE_MS)
    const idleStart = partsMb(app.pid)
    const inputs = (inputsOnce.value ??= await workloadInputs(app.url, seeded))
    const list = workloads(inputs).filter((w) => !args.only || args.only.split(',').includes(w.id))
    const parity = []
    for (const peer of peers) {
      // Each check books the same slots anew: the app's bookings of the last check go first.
      await removeBenchWrites(url)
      const checks = await checkParity(app.url, peer.url, list)
      parity.push(...checks.map((c) => ({ ...c, workload: `${c.workload} vs ${peer.name}` })))
    }
    await resetBenchDatabase(url)
    const broken = parity.filter((p) => !p.same)
    if (broken.length > 0) {
      throw new Error(`a peer answers differently: ${JSON.stringify(broken, null, 2)}`)
    }
    console.log(`parity: ${parity.length} answers alike`)

    const jitOn = v.jit ? v.jit === 'on' : v.limitMb === null || v.limitMb * 2 ** 20 >= JIT_MIN_LIMIT
    const results: WorkloadResult[] = []
    for (const connections of CONNECTIONS) {
      for (const base of list) {
        const w = { ...base, connections }
        const slicing = { warmup: WARMUP, duration: DURATION, passes: PASSES }
        const [appRun, ceilingRun, fastapiRun] = await compare([app, ...peers], w, slicing)
        // A slice shorter than the slowest answer completes none: 0, not NaN.
        const over = (a: number, b: number) => (b > 0 ? round(a / b) : 0)
        const ratio = over(appRun!.rps, ceilingRun!.rps)
        const target = jitOn ? (w.read ? READ_TARGET : WRITE_TARGET) : null
        results.push({
          id: w.id,
          name: w.name,
          requests: w.requests,
          connections,
          read: w.read,
          app: appRun!,
          ceiling: ceilingRun!,
          fastapi: fastapiRun ?? null,
          ratio,
          over_fastapi: fastapiRun ? over(appRun!.rps, fastapiRun.rps) : null,
          target,
          met: target === null ? null : ratio >= target,
        })
      }
    }
    const mixedBase = list.find((w) => w.id === 'W7')
    const mixed = mixedBase
      ? await mixedMemoryRun(app, { ...mixedBase, connections: Math.max(...CONNECTIONS) })
      : null
    await removeBenchWrites(url)
    await Bun.sleep(IDLE_SETTLE_MS)
    return {
      label: v.label,
      limit_mb: v.limitMb,
      jit: jitOn ? 'on' : 'off',
      runtime: runtimeOf(app.pid),
      parity,
      workloads: results,
      memory: { idle_after_start: idleStart, mixed_run: mixed, idle_after_run: partsMb(app.pid) },
    }
  } catch (error) {
    console.error(`app output:\n${app.output()}`)
    throw error
  } finally {
    await app.stop()
  }
}

type Body = Omit<Result, 'date' | 'command' | 'machine' | 'load_average_at_end' | 'versions'>

async function main(): Promise<Measured<Body>> {
  const url = await prepareBenchDatabase(BOOKINGS)
  await resetBenchDatabase(url)
  const seeded = await describeBenchDatabase(url)
  console.log(`bench database: ${seeded.bookings} seeded bookings, PostgreSQL ${seeded.postgres}`)

  // The app as the image runs it, and the stack floor bundled the same way, so the two compare.
  const app = await buildScratchBundle('bench')
  const floor = await buildStackFloor()
  const stackFloor = await startStackFloor(url, floor.entry)
  await Bun.sleep(IDLE_SETTLE_MS)
  const stackFloorIdle = partsMb(stackFloor.pid)
  await stackFloor.stop()
  floor.remove()

  const sqlFile = join(tmpdir(), `bench-peer-sql-${process.pid}.json`)
  writeFileSync(sqlFile, JSON.stringify(peerSql(await recordCeilingSql(url))))
  const missing = fastapiMissing()
  if (missing) {
    console.log(`FastAPI peer skipped: ${missing} (install: sh bench/peers/fastapi/install.sh)`)
  }
  const peers: BenchServer[] = [await startCeiling(url)]
  if (!missing) peers.push(await startFastapi(url, sqlFile))
  try {
    await Bun.sleep(IDLE_SETTLE_MS)
    const ceilingIdle = partsMb(peers[0]!.pid)
    const fastapiIdle = peers[1] ? partsMb(peers[1].pid) : null
    const inputs: { value?: WorkloadInputs } = {}
    const measured: VariantResult[] = []
    for (const v of variants()) {
      measured.push(await measureVariant(v, url, app.entry, peers, seeded, inputs))
    }
    const plans = inputs.value ? await queryPlans(url, inputs.value) : []

    const result: Body = {
      settings: {
        database: new URL(BENCH_DATABASE_URL).pathname.slice(1),
        seeded_bookings: seeded.bookings,
        duration_s: DURATION,
        warmup_s: WARMUP,
        passes: PASSES,
        connections: CONNECTIONS,
        pool: Number(POOL.DB_POOL_SIZE) + Number(POOL.DB_MAX_OVERFLOW),
        pinning: pinning(),
        app_cache: 'response cache off (CACHE_TTL_SECONDS=0)',
        app_run: 'its bundle as the image runs it: `bun run build`, then `bun dist/src/index.js`',
        stack_floor_run: 'bench/lib/stack-floor-server.ts, bundled and minified the same way',
        fastapi: missing
          ? `skipped: ${missing}`
          : "`bench/peers/fastapi/app.py`: FastAPI + SQLAlchemy + psycopg2 on uvicorn, one worker, Debian's packages",
      },
      floors: { ceiling: ceilingIdle, stack_floor: stackFloorIdle, fastapi: fastapiIdle },
      variants: measured,
      plans,
    }
    const versions = {
      PostgreSQL: seeded.postgres,
      ...(missing ? {} : { 'FastAPI peer': fastapiVersions() }),
    }
    return { result, versions }
  } catch (error) {
    for (const peer of peers) console.error(`${peer.name} output:\n${peer.output()}`)
    throw error
  } finally {
    for (const peer of peers) await peer.stop()
    rmSync(sqlFile, { force: true })
    app.remove()
    await resetBenchDatabase(url)
  }
}

/** The peer's library versions, from the Python that runs it. */
function fastapiVersions(): string {
  const script =
    'import sys, fastapi, uvicorn, sqlalchemy, psycopg2; ' +
    'print(f"python {sys.version.split()[0]}, fastapi {fastapi.__version__}, uvicorn ' +
    '{uvicorn.__version__}, sqlalchemy {sqlalchemy.__version__}, psycopg2 ' +
    '{psycopg2.__version__.split()[0]}")'
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
  return Bun.spawnSync([python, '-c', script]).stdout.toString().trim()
}

// A run that sets the JIT by hand is the threshold's experiment: a report of its own.
await runBench(args.jit ? 'bench-jit' : 'bench', args.render, markdown, main)
