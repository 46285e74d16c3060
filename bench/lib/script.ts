// The preamble every bench script shares: its options with --render, and the frame its run
// goes in (when and where it started, the stamped result written, or the last one re-rendered).
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { root } from './database'
import { machine, rerender, resultHeader, writeResult } from './results'

type Options = NonNullable<ParseArgsConfig['options']>

/** A bench script's options, and `--render` (rewrite the latest report from its JSON). */
export function benchArgs<const O extends Options>(options: O) {
  return parseArgs({ options: { ...options, render: { type: 'boolean' } } as const }).values
}

/** What a bench script's measurement hands back to be stamped and written. */
export interface Measured<R> {
  result: R
  /** Versions beyond the app's and its libraries' (the database server, a peer). */
  versions?: Record<string, string>
  /** Files written beside the report, by suffix (`.svg`). */
  files?: Record<string, string>
}

export type Stamped<R> = Awaited<ReturnType<typeof resultHeader>> & R

/**
 * Runs a bench script: with `render`, rewrites its latest report from the JSON; otherwise notes
 * the date and the machine (its load) as the run starts, runs `measure`, stamps the result with
 * them, the command, the load at the end and the versions, and writes bench/results/<date>-<name>.
 */
export async function runBench<R extends object>(
  name: string,
  render: boolean | undefined,
  markdown: (report: Stamped<R>) => string,
  measure: () => Promise<Measured<R>>,
): Promise<Stamped<R> | undefined> {
  if (render) {
    rerender<Stamped<R>>(name, markdown)
    return undefined
  }
  const date = new Date().toISOString()
  const atStart = machine()
  const { result, versions = {}, files = {} } = await measure()
  const report = { ...(await resultHeader(date, atStart, root, versions)), ...result }
  const base = writeResult(name, report as Record<string, unknown>, markdown(report), files)
  console.log(`results: ${base}.md`)
  return report
}
