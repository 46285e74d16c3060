import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port'

/** A throwaway PostgreSQL cluster this suite owns, so it may stop and start it at will. */
export interface OwnPostgres {
  url: string
  port: number
  version: string
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops the cluster (immediately) and removes its files. */
  destroy(): Promise<void>
}

function binDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) throw new Error(`no PostgreSQL binaries under ${root}`)
  return join(root, versions[0]!, 'bin')
}

/** initdb and the server refuse to run as root: as root, they run as the postgres OS user. */
function asOwner(argv: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv
}

async function run(argv: string[]): Promise<string> {
  const proc = Bun.spawn(asOwner(argv), { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${err || out}`)
  return out
}

function ownedTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'resilience-pg-'))
  if (process.getuid?.() === 0) {
    const uid = Number(Bun.spawnSync(['id', '-u', 'postgres']).stdout.toString().trim())
    const gid = Number(Bun.spawnSync(['id', '-g', 'postgres']).stdout.toString().trim())
    chownSync(dir, uid, gid)
  }
  return dir
}

/**
 * initdb into a temporary directory and pg_ctl start on a free loopback port (trust auth, socket
 * in the same directory). Never touches the machine's own PostgreSQL server.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir()
  const dir = ownedTempDir()
  const data = join(dir, 'data')
  const log = join(dir, 'server.log')
  const port = await freePort()
  await run([
    join(bin, 'initdb'),
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ])
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=40',
    '-c shared_buffers=32MB',
  ].join(' ')
  const pgCtl = (...args: string[]) => run([join(bin, 'pg_ctl'), '-D', data, ...args])
  let running = false
  const start = async () => {
    await pgCtl('-w', '-t', '60', '-l', log, '-o', options, 'start')
    running = true
  }
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pgCtl('-w', '-t', '60', '-m', mode, 'stop')
    running = false
  }
  await start()
  const version = (await run([join(bin, 'postgres'), '--version'])).trim()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    version,
    start,
    stop: () => stop('fast'),
    async destroy() {
      if (running) await stop('immediate').catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
