// `bun run bench:stack`: where the gap between the app and the bare ceiling on small reads lies.
// Three servers answer W1 (health) and W2 (a booking by id) on the bench database, interleaved
// as `bun run bench` runs them: the app (its bundle, as the image runs it), the stack the design
// fixes with nothing of the service (bench/lib/stack-server.ts: hono with @hono/zod-openapi,
// the app's zod id schema, drizzle with the app's prepared statements; no middleware, no
// authentication) and the ceiling (bench/ceiling.ts: Bun.serve + postgres.js). The stack's ratio
// to the ceiling is the most any app on that stack can reach; the app's to the stack is what the
// service adds. Loopback only, bounded by the durations. Results: bench/results/<date>-stack.*.
//
//   bun run bench:stack [--duration 10] [--warmup 3] [--passes 2] [--connections 16,64]
import { buildScratchBundle } from '../scripts/build'
import { workloadInputs } from './lib/bench-setup'
import type { Run } from './lib/bench-report'
import { compare } from './lib/compare'
import { pinning } from './lib/cpus'
import { describeBenchDatabase, prepareBenchDatabase, resetBenchDatabase } from './lib/database'
import { checkParity, type ParityCheck } from './lib/parity'
import { preamble, round, table } from './lib/results'
import { benchArgs, runBench, type Stamped } from './lib/script'
import { POOL, startApp, startCeiling, startStackServer } from './lib/servers'
import { workloads } from './lib/workloads'

const args = benchArgs({
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  passes: { type: 'string', default: '2' },
  connections: { type: 'string', default: '16,64' },
})
const slicing = {
  warmup: Number(args.warmup),
  duration: Number(args.duration),
  passes: Number(args.passes),
}
const CONNECTIONS = args.connections.split(',').map(Number)
const MEASURED = ['W1', 'W2']

interface Row {
  id: string
  name: string
  connections: number
  app: Run
  stack: Run
  ceiling: Run
}

interface Result {
  settings: typeof slicing & { connections: number[]; pool: number; pinning: string }
  parity: { app: ParityCheck[]; stack: ParityCheck[] }
  rows: Row[]
}

async function measure(): Promise<Result> {
  const url = await prepareBenchDatabase(1_000_000)
  await resetBenchDatabase(url)
  const seeded = await describeBenchDatabase(url)
  const bundle = await buildScratchBundle('bench-stack')
  const app = await startApp(url, { MEMORY_LIMIT_MB: undefined }, bundle.entry)
  const stack = await startStackServer(url)
  const ceiling = await startCeiling(url)
  try {
    const list = workloads(await workloadInputs(app.url, seeded)).filter((w) =>
      MEASURED.includes(w.id),
    )
    const parity = {
      app: await checkParity(app.url, ceiling.url, list),
      stack: await checkParity(stack.url, ceiling.url, list),
    }
    const differing = [...parity.app, ...parity.stack].filter((p) => !p.same)
    if (differing.length > 0) throw new Error(`answers differ: ${JSON.stringify(differing)}`)
    const rows: Row[] = []
    for (const connections of CONNECTIONS) {
      for (const base of list) {
        const w = { ...base, connections }
        const [a, s, c] = await compare([app, stack, ceiling], w, slicing)
        rows.push({ id: w.id, name: w.name, connections, app: a!, stack: s!, ceiling: c! })
      }
    }
    return {
      settings: {
        ...slicing,
        connections: CONNECTIONS,
        pool: Number(POOL.DB_POOL_SIZE) + Number(POOL.DB_MAX_OVERFLOW),
        pinning: pinning(),
      },
      parity,
      rows,
    }
  } finally {
    await Promise.all([app.stop(), stack.stop(), ceiling.stop()])
    bundle.remove()
  }
}

const ratio = (a: Run, b: Run) => `${round(a.rps / b.rps)}x`

function markdown(r: Stamped<Result>): string {
  const s = r.settings
  return [
    preamble('Small reads: the app, the bare stack and the ceiling', r),
    'The app (its bundle, no memory limit), the stack the design fixes with nothing of the ' +
      'service (bench/lib/stack-server.ts: Bun.serve, hono with @hono/zod-openapi, drizzle over ' +
      "postgres.js, the app's id schema and prepared statements; no middleware, no " +
      'authentication) and the ceiling (bench/ceiling.ts: Bun.serve + postgres.js), on the ' +
      `bench database with a pool of ${s.pool} each, answering alike (parity checked first). ` +
      `${s.warmup} s of warm-up per server, then ${s.duration} s each in ${s.passes} ` +
      `interleaved passes. Pinning: ${s.pinning}.`,
    '',
    table(
      [
        'workload',
        'conns',
        'app req/s',
        'stack req/s',
        'ceiling req/s',
        'stack / ceiling',
        'app / ceiling',
        'app / stack',
        'CPU µs/req app / stack / ceiling',
      ],
      r.rows.map((x) => [
        `${x.id} ${x.name}`,
        x.connections,
        x.app.rps,
        x.stack.rps,
        x.ceiling.rps,
        ratio(x.stack, x.ceiling),
        ratio(x.app, x.ceiling),
        ratio(x.app, x.stack),
        `${x.app.cpu_us_per_request} / ${x.stack.cpu_us_per_request} / ` +
          `${x.ceiling.cpu_us_per_request}`,
      ]),
    ),
    '',
  ].join('\n')
}

await runBench<Result>('stack', args.render, markdown, async () => ({ result: await measure() }))
process.exit(0)
