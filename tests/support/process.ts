import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dir, '..', '..')

export interface ServerProcess {
  url: string
  proc: ReturnType<typeof Bun.spawn>
  exited: Promise<number>
  output: () => string
  cleanup(): void
}

/**
 * Starts the service the way a user does (`bun src/index.ts`), or the image does (`entry`, the
 * bundle), on a free port. `launcher` runs first and must exec its arguments (a wrapper that
 * places the process in a cgroup, say).
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  entry = 'src/index.ts',
  { launcher = [], startTimeoutMs = 60_000 }: { launcher?: string[]; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'booking-api-'))
  const proc = Bun.spawn([...launcher, process.execPath, entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      UPLOAD_DIR: join(dataDir, 'uploads'),
      LOG_LEVEL: 'info',
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let out = ''
  const decoder = new TextDecoder()
  const cleanup = () => {
    if (proc.exitCode === null) proc.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
  const listening = new Promise<number>((resolve, reject) => {
    const reader = proc.stdout.getReader()
    // A server that never gets there is killed, not left running after the test.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`server did not start:\n${out}`))
    }, startTimeoutMs)
    ;(async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        out += decoder.decode(value)
        const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out)
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
      }
      clearTimeout(timer)
      reject(new Error(`server exited before listening:\n${out}`))
    })()
  })
  // A server that never listens is ended here: no caller holds it to clean up.
  const port = await listening.catch((error) => {
    cleanup()
    throw error
  })
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    exited: proc.exited,
    output: () => out,
    cleanup,
  }
}

/** Runs `bun <args>` from the project root to its end: exit code and whole output. */
export async function runToEnd(args: string[], env: Record<string, string | undefined>) {
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: root,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  return { code, stdout, stderr }
}

/**
 * Runs a probe script of the tests in a fresh process (module state and RSS of its own) and
 * returns the JSON of its last line, once it has exited 0 with nothing on stderr.
 */
export async function runProbe(
  script: string,
  env: Record<string, string | undefined> = process.env,
): Promise<any> {
  const { code, stdout, stderr } = await runToEnd([script], env)
  if (code !== 0 || stderr !== '') throw new Error(`${script} exited ${code}: ${stderr}`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

/** The environment a running process was started with, from /proc (Linux). */
export const environmentOf = (pid: number): Record<string, string> =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  )
