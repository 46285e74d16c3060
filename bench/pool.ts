// `bun run bench:pool`: the app's postgres.js pool (src/db/client.ts, its own options) under
// sustained load, more statements in flight than it has connections, as under a burst of
// requests: round after round in one process, each reporting the CPU the process spent per
// statement, the statements a second, and the heap after a full collection, so a cost that grows
// with the statements run shows as a trend. postgres.js 3.4.9 did grow, both (its result is kept
// as <date>-pool-postgres-3.md). Loopback only, bounded by the rounds. Results:
// bench/results/<date>-pool.{md,json}.
//
//   bun run bench:pool [--rounds 10] [--statements 32000] [--callers 32]
import { openDatabase } from '../src/db/client'
import { parseEnv } from '../src/env'
import { preamble, round, table } from './lib/results'
import { benchArgs, runBench, type Stamped } from './lib/script'
import { POOL } from './lib/servers'

const opts = benchArgs({
  rounds: { type: 'string', default: '10' },
  statements: { type: 'string', default: '32000' },
  callers: { type: 'string', default: '32' },
})
const ROUNDS = Number(opts.rounds)
const STATEMENTS = Number(opts.statements)
const CALLERS = Number(opts.callers)
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

interface Round {
  round: number
  cpu_us_per_statement: number
  statements_per_second: number
  heap_mb: number
}

interface Result {
  settings: { rounds: number; statements_per_round: number; callers: number; pool: number }
  rounds: Round[]
}

async function measure(): Promise<Result> {
  // The production settings of the pool; no token is signed here.
  const secret = { JWT_SECRET: 'bench-pool-secret-long-enough-for-hs256' }
  const env = parseEnv({ ...process.env, NODE_ENV: 'production', DATABASE_URL, ...POOL, ...secret })
  const database = openDatabase(env)
  const sql = database.sql!
  const run = async (count: number) => {
    let left = count
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (left-- > 0) await sql.unsafe('select $1::int as n', [left], { prepare: true })
      }),
    )
  }
  try {
    await run(2000) // every connection open and its statement prepared
    const rounds: Round[] = []
    for (let n = 1; n <= ROUNDS; n++) {
      const cpu = process.cpuUsage()
      const began = performance.now()
      await run(STATEMENTS)
      const seconds = (performance.now() - began) / 1000
      const used = process.cpuUsage(cpu)
      Bun.gc(true)
      rounds.push({
        round: n,
        cpu_us_per_statement: round((used.user + used.system) / STATEMENTS),
        statements_per_second: Math.round(STATEMENTS / seconds),
        heap_mb: round(process.memoryUsage().heapUsed / 2 ** 20),
      })
    }
    const pool = env.DB_POOL_SIZE + env.DB_MAX_OVERFLOW
    return {
      settings: { rounds: ROUNDS, statements_per_round: STATEMENTS, callers: CALLERS, pool },
      rounds,
    }
  } finally {
    await database.close()
  }
}

function markdown(r: Stamped<Result>): string {
  const s = r.settings
  return [
    preamble("The app's postgres.js pool under sustained load", r),
    `${s.callers} callers run \`select $1::int\` (prepared) on the app's pool of ${s.pool} ` +
      `connections, ${s.rounds} rounds of ${s.statements_per_round} statements, one process. ` +
      'CPU is the whole process (the callers included); heap after a full collection.',
    '',
    table(
      ['round', 'CPU µs/statement', 'statements/s', 'heap MB'],
      r.rounds.map((x) => [x.round, x.cpu_us_per_statement, x.statements_per_second, x.heap_mb]),
    ),
    '',
  ].join('\n')
}

await runBench<Result>('pool', opts.render, markdown, async () => ({ result: await measure() }))
process.exit(0)
