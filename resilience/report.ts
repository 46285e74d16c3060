import { preamble, type machine } from '../bench/lib/results'
import { passed, type ScenarioResult } from './lib/outcome'

export interface SuiteReport {
  date: string
  command: string
  machine: ReturnType<typeof machine>
  load_average_at_end: number[]
  versions: Record<string, unknown>
  seconds: number
  passed: boolean
  scenarios: (ScenarioResult & {
    passed: boolean
    load_average: { before: number[]; after: number[] }
  })[]
}

/** Figures too long for the Markdown (they stay in the JSON). */
const LONG = new Set(['by_operation', 'by_defect', 'failure_groups', 'cycles'])

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

function figures(result: ScenarioResult): string {
  const short = Object.fromEntries(Object.entries(result.figures).filter(([k]) => !LONG.has(k)))
  return `\`\`\`json\n${JSON.stringify(short, null, 2)}\n\`\`\``
}

/** The results file: what ran where, each target against its figure, and why any was missed. */
export function markdown(report: SuiteReport): string {
  const lines = [
    preamble('Resilience suite', report),
    `${report.seconds} s, all on loopback. Result: ` +
      `**${report.passed ? 'every target met' : 'targets missed, see below'}**.`,
    '',
    '| scenario | targets met | seconds | load average before -> after |',
    '| --- | --- | --- | --- |',
    ...report.scenarios.map(
      (s) =>
        `| ${s.title} | ${s.checks.filter((c) => c.met).length}/${s.checks.length}${s.passed ? '' : ' (missed)'} | ${s.seconds} | ${s.load_average.before.join(' ')} -> ${s.load_average.after.join(' ')} |`,
    ),
    '',
  ]
  for (const s of report.scenarios) {
    lines.push(
      `## ${s.title}`,
      '',
      `Figures from \`${s.command}\`.`,
      '',
      '| check | target | measured | met |',
      '| --- | --- | --- | --- |',
    )
    for (const c of s.checks)
      lines.push(
        `| ${cell(c.name)} | ${cell(c.target)} | ${cell(c.actual)} | ${c.met ? 'yes' : '**no**'} |`,
      )
    const missed = s.checks.filter((c) => !c.met)
    if (missed.length) {
      lines.push('', '**Missed:**', '')
      for (const c of missed)
        lines.push(
          `- ${c.name}: target ${c.target}, measured ${c.actual}.${c.note ? ` ${c.note}` : ''}`,
        )
    }
    const qualified = s.checks.filter((c) => c.met && c.note)
    for (const c of qualified) lines.push('', `- ${c.name}: ${c.note}`)
    if (s.notes.length) lines.push('', ...s.notes.map((n) => `- ${n}`))
    lines.push('', figures(s), '')
  }
  return `${lines.join('\n')}\n`
}

export const allPassed = (results: ScenarioResult[]) => results.every(passed)
