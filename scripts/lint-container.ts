/**
 * Lints the container files without a Docker engine (none runs on the CI machines):
 * - Dockerfile: dockerfile-utils, the validator behind VS Code's Dockerfile support, every rule an
 *   error; then what docs/container.md promises of the image (below).
 * - compose.yaml: dclint (the compose-spec schema plus best practices), warnings fail too; then
 *   every variable given to the API is one src/env.ts reads (or Bun's own, BUN_*), so a typo
 *   cannot pass silently.
 * - .dockerignore keeps what the image copies.
 *
 * Usage: bun scripts/lint-container.ts (npm run lint:container). Exit 1 on any problem.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { validate, ValidationSeverity } from 'dockerfile-utils'
import { envSchema } from '../src/env'

const root = join(import.meta.dir, '..')
const read = (file: string) => readFileSync(join(root, file), 'utf8')
const problems: string[] = []
const fail = (file: string, message: string) => problems.push(`${file}: ${message}`)

function lintDockerfile() {
  const file = 'Dockerfile'
  const text = read(file)
  const all = ValidationSeverity.ERROR
  const diagnostics = validate(text, {
    deprecatedMaintainer: all,
    directiveCasing: all,
    emptyContinuationLine: all,
    instructionCasing: all,
    instructionCmdMultiple: all,
    instructionEntrypointMultiple: all,
    instructionHealthcheckMultiple: all,
    instructionJSONInSingleQuotes: all,
    instructionWorkdirRelative: all,
  })
  for (const d of diagnostics) fail(file, `line ${d.range.start.line + 1}: ${d.message}`)

  const dockerfile = DockerfileParser.parse(text)
  const froms = dockerfile.getFROMs()
  if (froms.length < 2) fail(file, 'must be multi-stage (dependencies apart from the runtime)')
  const stages = new Set<string>()
  for (const from of froms) {
    const image = from.getExpandedArguments()[0]?.getValue() ?? ''
    const earlier = stages.has(image) // built on an earlier stage, itself checked
    const stage = from.getBuildStage()
    if (stage) stages.add(stage)
    if (!earlier && !/^oven\/bun:[\d.]+-slim$/.test(image)) {
      fail(
        file,
        `stage "${from.getBuildStage()}" is ${image}, not the official oven/bun:<version>-slim`,
      )
    }
  }
  const instructions = dockerfile.getInstructions()
  const lastFrom = instructions.findLastIndex((i) => i.getKeyword() === 'FROM')
  const runtime = instructions.slice(lastFrom + 1)
  const args = (i: Instruction) => i.getExpandedArguments().map((a) => a.getValue())
  const find = (keyword: string) => runtime.filter((i) => i.getKeyword() === keyword)
  const joined = (keyword: string) =>
    find(keyword)
      .map((i) => args(i).join(' '))
      .join('\n')

  const installs = instructions.filter(
    (i) => i.getKeyword() === 'RUN' && /\binstall\b/.test(args(i).join(' ')),
  )
  if (!installs.some((i) => /--production|--omit=dev/.test(args(i).join(' ')))) {
    fail(file, 'dependencies must be installed for production only')
  }
  const lastUser = find('USER').at(-1)
  const user = lastUser ? args(lastUser)[0] : undefined
  if (!user || /^(root|0)(:|$)/.test(user)) {
    fail(file, 'the runtime stage must switch to a non-root USER')
  }
  if (!/\/api\/health\b/.test(joined('HEALTHCHECK'))) {
    fail(file, 'needs a HEALTHCHECK against /api/health')
  }
  if (joined('STOPSIGNAL') !== 'SIGTERM') fail(file, 'needs STOPSIGNAL SIGTERM')
  if (!/(^|\s)drizzle(\s|$)/m.test(joined('COPY'))) {
    fail(file, 'must ship drizzle/ (migrations run at start-up)')
  }
  const builds = (i: Instruction) =>
    i.getKeyword() === 'RUN' && args(i).join(' ') === 'bun scripts/build.ts'
  if (!instructions.some(builds)) {
    fail(file, 'must build the bundle (bun scripts/build.ts)')
  }
  if (!/\bdist\/src\/index\.js\b/.test(joined('CMD'))) {
    fail(file, 'must run the bundle, dist/src/index.js')
  }

  const env = new Map<string, string>()
  for (const e of dockerfile.getENVs()) {
    for (const p of e.getProperties()) env.set(p.getName(), p.getValue() ?? '')
  }
  const volumes = joined('VOLUME')
  for (const name of ['DATA_DIR', 'UPLOAD_DIR']) {
    const dir = env.get(name)
    if (!dir) fail(file, `must set ${name}`)
    else if (!volumes.includes(`"${dir}"`) && !volumes.split(/\s+/).includes(dir)) {
      fail(file, `${name} (${dir}) must be a VOLUME`)
    }
  }
  if (env.has('MEMORY_LIMIT_MB'))
    fail(file, 'must not fix MEMORY_LIMIT_MB: the cgroup limit applies')
}

async function lintCompose() {
  const file = 'compose.yaml'
  const dclint = Bun.spawn([join(root, 'node_modules/.bin/dclint'), file, '--max-warnings', '0'], {
    cwd: root,
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if ((await dclint.exited) !== 0) fail(file, 'dclint reported problems (above)')

  const compose = Bun.YAML.parse(read(file)) as {
    services?: Record<string, { build?: unknown; environment?: Record<string, unknown> | string[] }>
  }
  const known = new Set(Object.keys(envSchema.shape))
  const api = Object.entries(compose.services ?? {}).filter(([, service]) => service.build)
  if (api.length === 0) fail(file, 'no service builds the Dockerfile')
  for (const [name, service] of api) {
    const environment = service.environment ?? {}
    const names = Array.isArray(environment)
      ? environment.map((pair) => pair.split('=')[0]!)
      : Object.keys(environment)
    // BUN_* variables are the runtime's own (BUN_JSC_forceRAMSize), not the service's settings.
    for (const variable of names.filter((n) => !n.startsWith('BUN_'))) {
      if (!known.has(variable)) {
        fail(file, `service ${name}: ${variable} is not a setting in src/env.ts`)
      }
    }
  }
}

function lintDockerignore() {
  const file = '.dockerignore'
  const patterns = read(file)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  for (const needed of ['src', 'drizzle', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    if (patterns.some((p) => p === needed || p === `${needed}/` || p === `/${needed}`)) {
      fail(file, `excludes ${needed}, which the image copies`)
    }
  }
  // The last pattern that matches decides (Docker's rule), so the build script must be let back in.
  const last = patterns.findLast((p) => /^!?\/?scripts(\/|$)/.test(p))
  if (last !== undefined && last !== '!scripts/build.ts') {
    fail(file, 'excludes scripts/build.ts, which the image runs to build the bundle')
  }
}

lintDockerfile()
await lintCompose()
lintDockerignore()

if (problems.length > 0) {
  for (const problem of problems) console.error(problem)
  console.error(`container lint: ${problems.length} problem(s)`)
  process.exit(1)
}
console.log('container lint: Dockerfile, compose.yaml and .dockerignore are clean')
