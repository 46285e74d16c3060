/**
 * `bun run resilience [-- --only fuzz,sigterm]`: the resilience suite. Every scenario starts its
 * own server process on loopback, bounds its own time, and cleans up (databases it created, its
 * own PostgreSQL cluster, temporary files) even when it fails. Writes
 * bench/results/<date>-resilience.{md,json}; exits 1 when a target is missed.
 */
import { join } from 'node:path'
import postgres from 'postgres'
import { loadAverage, machine, versions, writeResult } from '../bench/lib/results'
import { suiteContext, type SuiteContext } from './context'
import { check, passed, type ScenarioResult } from './lib/outcome'
import { SERVER_URL } from './lib/scratch-database'
import { markdown, type SuiteReport } from './report'
import { databaseOutage } from './scenarios/database-outage'
import { fuzz } from './scenarios/fuzz'
import { killNine } from './scenarios/kill-nine'
import { memoryPressure } from './scenarios/memory-pressure'
import { sigterm } from './scenarios/sigterm'

const SCENARIOS: [string, (ctx: SuiteContext) => Promise<ScenarioResult>][] = [
  ['database-outage', databaseOutage],
  ['memory-pressure', memoryPressure],
  ['sigterm', sigterm],
  ['kill-nine', killNine],
  ['fuzz', fuzz],
]
/** The whole suite is stopped (cleanups run) if it ever takes this long. */
const LIMIT_MS = 12 * 60_000

const root = join(import.meta.dir, '..')
const args = process.argv.slice(2)
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : []
const unknown = only.filter((name) => !SCENARIOS.some(([key]) => key === name))
if (unknown.length) {
  console.error(
    `unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map(([k]) => k).join(', ')}`,
  )
  process.exit(2)
}
const settings = ['FUZZ_RUNS', 'FUZZ_SEED', 'RESILIENCE_DATABASE_URL']
  .filter((name) => process.env[name])
  .map((name) => `${name}=${process.env[name]} `)
  .join('')
const command = `${settings}bun run resilience${args.length ? ` -- ${args.join(' ')}` : ''}`

let finishing: (() => Promise<void>) | undefined
const abort = (reason: string, code: number) => {
  console.error(`[resilience] ${reason}: cleaning up and stopping`)
  void (finishing?.() ?? Promise.resolve()).finally(() => process.exit(code))
}
const watchdog = setTimeout(
  () => abort(`time limit of ${LIMIT_MS / 60_000} min reached`, 2),
  LIMIT_MS,
)
watchdog.unref()
process.once('SIGINT', () => abort('interrupted', 130))
process.once('SIGTERM', () => abort('terminated', 143))

async function postgresVersion(): Promise<string> {
  const sql = postgres(SERVER_URL, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version') as v`
    return row!.v
  } catch {
    return 'unreachable'
  } finally {
    await sql.end()
  }
}

const began = performance.now()
// Taken now: it records the load average the run started under.
const startMachine = machine()
const results: SuiteReport['scenarios'] = []
for (const [key, run] of SCENARIOS) {
  if (only.length && !only.includes(key)) continue
  const { context, finish } = suiteContext(command)
  finishing = finish
  const before = loadAverage()
  const startedAt = performance.now()
  context.log(`${key}: starting`)
  let result: ScenarioResult
  try {
    result = await run(context)
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    result = {
      key,
      title: key,
      command,
      seconds: Math.round((performance.now() - startedAt) / 1000),
      checks: [check('scenario ran to the end', 'no error', message.split('\n')[0]!, false)],
      figures: {},
      notes: [message],
    }
  } finally {
    await finish()
    finishing = undefined
  }
  results.push({
    ...result,
    passed: passed(result),
    load_average: { before, after: loadAverage() },
  })
  context.log(
    `${key}: ${passed(result) ? 'all targets met' : 'targets missed'} (${result.seconds} s)`,
  )
  for (const c of result.checks) context.log(`  ${c.met ? 'ok  ' : 'MISS'} ${c.name}: ${c.actual}`)
}

const report: SuiteReport = {
  date: new Date().toISOString(),
  command,
  machine: startMachine,
  load_average_at_end: loadAverage(),
  versions: await versions(root, {
    'fast-check': await packageVersion('fast-check'),
    postgresql: await postgresVersion(),
  }),
  seconds: Math.round((performance.now() - began) / 1000),
  passed: results.every((r) => r.passed),
  scenarios: results,
}
// A partial run (--only) gets its own file, so it never replaces the full run's.
const written = writeResult(
  only.length ? `resilience-${only.join('+')}` : 'resilience',
  report as unknown as Record<string, unknown>,
  markdown(report),
)
console.log(`[resilience] results in ${written}.md and .json`)
process.exit(report.passed ? 0 : 1)

async function packageVersion(name: string): Promise<string> {
  try {
    return (await Bun.file(join(root, 'node_modules', name, 'package.json')).json()).version
  } catch {
    return 'n/a'
  }
}
