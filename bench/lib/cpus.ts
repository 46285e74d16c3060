import { cpus } from 'node:os'

/**
 * Where the benchmark pins its processes: the server under test on one core, the load generator
 * on another, so neither steals the other's time slices (PostgreSQL floats over both). Off with
 * BENCH_PIN=0, or where there is one core or no taskset.
 */
const canPin =
  process.env.BENCH_PIN !== '0' &&
  cpus().length >= 2 &&
  Bun.spawnSync(['taskset', '-p', String(process.pid)], { stderr: 'ignore' }).exitCode === 0

export const SERVER_CPU = canPin ? 0 : undefined
export const LOAD_CPU = canPin ? 1 : undefined

/** `argv` run on `cpu` (through taskset), or as is when not pinning. */
export const pinned = (argv: string[], cpu: number | undefined) =>
  cpu === undefined ? argv : ['taskset', '-c', String(cpu), ...argv]

/** How the run was pinned, for the report. */
export const pinning = () =>
  SERVER_CPU === undefined
    ? 'not pinned'
    : `servers on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU}, PostgreSQL on either`
