import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinned, SERVER_CPU } from './cpus'
import { root } from './database'

/** The app's pool, DB_POOL_SIZE + DB_MAX_OVERFLOW = 6; the ceiling gets the same. */
export const POOL = { DB_POOL_SIZE: '3', DB_MAX_OVERFLOW: '3' }
/** A small VPS container's budget, so the memory guard judges usage as it would in production. */
export const MEMORY_LIMIT_MB = Number(process.env.BENCH_MEMORY_LIMIT_MB ?? 512)
export const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' }
export const USER_PASSWORD = 'demo-password'

export interface BenchServer {
  name: string
  url: string
  pid: number
  /** The last lines the process wrote, for error messages. */
  output(): string
  stop(): Promise<void>
}

function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

/**
 * Starts `argv` (`bun <script>` unless told) on a free loopback port, on the servers' core when
 * the benchmark pins processes, and waits until GET /api/health answers. The port is chosen here
 * rather than read from a log line, so the app can run at LOG_LEVEL=warn: at info it writes a
 * line per request, which costs throughput the benchmark would then report. A variable given as
 * undefined is removed from the inherited environment.
 */
async function startProcess(
  name: string,
  script: string | string[],
  env: Record<string, string | undefined>,
  cleanup = () => {},
  readyPath = '/api/health',
): Promise<BenchServer> {
  const port = freePort()
  const argv = typeof script === 'string' ? [process.execPath, script] : script
  const merged = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }
  const proc = Bun.spawn(pinned(argv, SERVER_CPU), {
    cwd: root,
    env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let tail = ''
  const keep = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) tail = (tail + decoder.decode(chunk)).slice(-16_384)
  }
  void keep(proc.stdout)
  void keep(proc.stderr)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited during start-up:\n${tail}`)
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`${name} did not answer within 60 s:\n${tail}`)
    }
    const ok = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    await Bun.sleep(100)
  }
  return {
    name,
    url,
    pid: proc.pid,
    output: () => tail,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
        await proc.exited
        clearTimeout(timer)
      }
      cleanup()
    },
  }
}

/**
 * The app from `entry` (its sources unless told: `bun run bench` runs the bundle, as the image
 * does), on the bench database; `env` may unset a variable (MEMORY_LIMIT_MB: undefined runs it
 * without a limit).
 */
export function startApp(
  databaseUrl: string,
  env: Record<string, string | undefined> = {},
  entry = 'src/index.ts',
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'booking-bench-'))
  return startProcess(
    'app',
    entry,
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      UPLOAD_DIR: join(dataDir, 'uploads'),
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      MEMORY_LIMIT_MB: String(MEMORY_LIMIT_MB),
      ...POOL,
      ...env,
    },
    () => rmSync(dataDir, { recursive: true, force: true }),
  )
}

/** The bare Bun.serve + postgres.js server of bench/ceiling.ts. */
export function startCeiling(databaseUrl: string) {
  return startProcess('ceiling', 'bench/ceiling.ts', { DATABASE_URL: databaseUrl, ...POOL })
}

/**
 * bench/lib/stack-floor-server.ts: Bun.serve, hono with @hono/zod-openapi, drizzle and a
 * connected postgres.js pool, none of the service. Its idle RSS is the floor the app's is held to,
 * each run the same way: from its sources unless `entry` is its bundle (buildStackFloor).
 */
export function startStackFloor(databaseUrl: string, entry = STACK_FLOOR) {
  const env = { DATABASE_URL: databaseUrl, ...POOL }
  return startProcess('stack floor', entry, env, () => {}, '/api/health/ready')
}

const STACK_FLOOR = 'bench/lib/stack-floor-server.ts'

/** bench/lib/stack-server.ts: the fixed stack serving the by-id read with none of the service. */
export function startStackServer(databaseUrl: string) {
  return startProcess('stack', 'bench/lib/stack-server.ts', { DATABASE_URL: databaseUrl, ...POOL })
}

/** The stack floor bundled and minified as scripts/build.ts bundles the app, and its removal. */
export async function buildStackFloor() {
  const outdir = mkdtempSync(join(tmpdir(), 'booking-stack-floor-'))
  const built = await Bun.build({
    entrypoints: [join(root, STACK_FLOOR)],
    target: 'bun',
    minify: true,
    outdir,
  })
  if (!built.success) throw new Error(`bundling the stack floor failed:\n${built.logs.join('\n')}`)
  return {
    entry: built.outputs[0]!.path,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  }
}

/** The system Python the FastAPI peer runs on (Debian's packages install there). */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const FASTAPI_DIR = join(root, 'bench', 'peers', 'fastapi')

/** Why the FastAPI peer cannot run here, or undefined when it can. */
export function fastapiMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`
  const probe = Bun.spawnSync([PYTHON, '-c', 'import fastapi, uvicorn, sqlalchemy, psycopg2'])
  if (probe.exitCode === 0) return undefined
  return probe.stderr.toString().trim().split('\n').at(-1)
}

/**
 * The floor peer: bench/peers/fastapi/app.py (FastAPI + SQLAlchemy, the stack the service
 * replaced) running the ceiling's statements, written by `peerSql` to `sqlFile`.
 */
export function startFastapi(databaseUrl: string, sqlFile: string) {
  return startProcess('fastapi', [PYTHON, join(FASTAPI_DIR, 'app.py')], {
    DATABASE_URL: databaseUrl,
    PEER_SQL: sqlFile,
    ...POOL,
  })
}

export interface Session {
  token: string
  userId: number
  headers: { authorization: string }
}

/** Logs in through the app's own POST /api/auth/login. */
export async function login(url: string, email: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok) throw new Error(`login of ${email} failed: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { token: string; user: { id: number } }
  return {
    token: body.token,
    userId: body.user.id,
    headers: { authorization: `Bearer ${body.token}` },
  }
}

/** The app's own memory figures (GET /api/health/memory). */
export async function memoryStats(url: string) {
  const res = await fetch(`${url}/api/health/memory`)
  return (await res.json()) as {
    state: string
    rss_bytes: number
    limit_bytes: number
    limit_source: string
    shed_total: number
    shed_by_reason: Record<string, number>
    gc_runs: number
  }
}
