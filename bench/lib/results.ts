import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, relative } from 'node:path'

export const resultsDir = join(import.meta.dir, '..', 'results')

/** `n` to `digits` decimals, as the reports print figures. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** 1, 5 and 15 minute load averages now. */
export const loadAverage = () => loadavg().map((n) => round(n))

export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 1024 ** 3),
    bun: Bun.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1, 5 and 15 minute load averages when the run started: other work on the machine. */
    load_average: loadAverage(),
  }
}

export async function versions(root: string, extra: Record<string, string> = {}) {
  const pkg = await Bun.file(join(root, 'package.json')).json()
  const read = async (name: string) => {
    try {
      return (await Bun.file(join(root, 'node_modules', name, 'package.json')).json()).version
    } catch {
      return 'n/a'
    }
  }
  const node = Bun.spawnSync(['node', '--version']).stdout.toString().trim()
  return {
    app: pkg.version,
    bun: Bun.version,
    'node (load generator)': node || 'n/a',
    hono: await read('hono'),
    'drizzle-orm': await read('drizzle-orm'),
    postgres: await read('postgres'),
    autocannon: await read('autocannon'),
    ...extra,
  }
}

/**
 * The fields every result starts with, what `preamble` prints: taken as the run ends, with the
 * run's start date and the machine as `machine()` found it then.
 */
export async function resultHeader(
  date: string,
  atStart: ReturnType<typeof machine>,
  root: string,
  extraVersions: Record<string, string>,
) {
  return {
    date,
    command: command(),
    machine: atStart,
    load_average_at_end: loadAverage(),
    versions: await versions(root, extraVersions),
  }
}

/** The command that produced a result, as the user typed it (`bun run bench`, ...). */
export function command(): string {
  // npx sets its own name here; only a package.json script is worth printing.
  const script = process.env.npm_lifecycle_event?.replace(/^npx$/, '')
  const args = process.argv.slice(2).join(' ')
  const file = process.argv[1] && relative(join(import.meta.dir, '..', '..'), process.argv[1])
  const base = script ? `bun run ${script}` : `bun ${file}`
  return args ? `${base} ${args}` : base
}

/** A fixed-width header every result file starts with: when, where, what with, which command. */
export function preamble(
  title: string,
  info: {
    date: string
    command: string
    machine: ReturnType<typeof machine>
    versions: object
    load_average_at_end?: number[]
  },
) {
  const m = info.machine
  const v = Object.entries(info.versions)
    .map(([k, value]) => `${k} ${value}`)
    .join(', ')
  return [
    `# ${title}`,
    '',
    `- Date: ${info.date}`,
    `- Command: \`${info.command}\``,
    `- Machine: ${m.cores} cores (${m.cpu}), ${m.memory_gb} GB memory, ${m.platform}; ` +
      `load average (1 / 5 / 15 min) at the start ${m.load_average.join(' / ')}` +
      (info.load_average_at_end ? `, at the end ${info.load_average_at_end.join(' / ')}` : ''),
    `- Versions: ${v}`,
    '',
  ].join('\n')
}

/** A Markdown table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Writes `<date>-<name>.json` and `.md` (and any extra files) into bench/results/. */
export function writeResult(
  name: string,
  json: Record<string, unknown>,
  markdown: string,
  extra: Record<string, string> = {},
) {
  mkdirSync(resultsDir, { recursive: true })
  const stamp = new Date().toISOString().slice(0, 10)
  const base = `${stamp}-${name}`
  writeFileSync(join(resultsDir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(join(resultsDir, `${base}.md`), markdown)
  for (const [suffix, content] of Object.entries(extra)) {
    writeFileSync(join(resultsDir, `${base}${suffix}`), content)
  }
  writeIndex()
  return join(resultsDir, base)
}

/**
 * Writes the Markdown of the latest `name` result again from its JSON: for a change in a report's
 * wording, without measuring again (the figures and the command stay those of the run).
 */
export function rerender<T>(name: string, markdown: (result: T) => string) {
  const latest = latestResult<T>(name)
  if (!latest) throw new Error(`no ${name} result in ${resultsDir}`)
  const path = join(resultsDir, latest.file.replace(/\.json$/, '.md'))
  writeFileSync(path, markdown(latest.data))
  writeIndex()
  console.log(`rewrote ${path}`)
}

/** The latest result of `name` (by file name, which starts with the date), parsed. */
export function latestResult<T>(name: string): { file: string; data: T } | undefined {
  const files = readdirSync(resultsDir, { withFileTypes: true })
    .map((f) => f.name)
    // By the whole name: `memory` must not find `pglite-memory`.
    .filter((f) => /^\d{4}-\d{2}-\d{2}-/.test(f) && f.slice(11) === `${name}.json`)
    .sort()
  const file = files.at(-1)
  if (!file) return undefined
  return { file, data: JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as T }
}

/** bench/results/README.md: every result, newest first, so the latest of each is one click away. */
function writeIndex() {
  const reports = readdirSync(resultsDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}-.+\.md$/.test(f))
    .sort()
    .reverse()
  const lines = [
    '# Benchmark results',
    '',
    'Written by the bench scripts (`bun run bench`, `bench:soak`, `bench:export`,',
    '`bench:uploads`); each report names the command, machine and versions that produced it.',
    'Newest first.',
    '',
    ...reports.map((f) => `- [${f.replace(/\.md$/, '')}](${f})`),
    '',
  ]
  writeFileSync(join(resultsDir, 'README.md'), lines.join('\n'))
}
