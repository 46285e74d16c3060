import { startServerProcess, type ServerProcess } from '../../tests/support/process'
import { adminEnv } from './world'

export interface SuiteServer extends ServerProcess {
  /** What the process wrote to stderr (a runtime crash report lands there). */
  stderr(): string
}

/** Every load of the suite comes from loopback: one address, far more users than one person. */
export const loadFromOneAddress = {
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: '1000000',
  LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE: '1000000',
}

/** `bun src/index.ts` on a free loopback port, with the suite's admin and the given settings. */
export async function startSuiteServer(env: Record<string, string>): Promise<SuiteServer> {
  const server = await startServerProcess({
    ...adminEnv,
    ...loadFromOneAddress,
    GC_INTERVAL_SECONDS: '0',
    ...env,
  })
  // Drained as it comes, so a chatty stderr can never fill the pipe and stall the server.
  let errors = ''
  const decoder = new TextDecoder()
  void (async () => {
    for await (const chunk of server.proc.stderr as ReadableStream<Uint8Array>) {
      errors += decoder.decode(chunk, { stream: true })
    }
  })()
  return { ...server, stderr: () => errors }
}

export interface Exit {
  code: number | null
  /** From the signal to the process's end. */
  ms: number
  /** True when the process had to be killed after `timeoutMs`. */
  killed: boolean
}

/** Sends `signal` and waits for the exit; past `timeoutMs` the process is killed with SIGKILL. */
export async function stopServer(
  server: ServerProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<Exit> {
  const start = performance.now()
  if (server.proc.exitCode !== null) return { code: server.proc.exitCode, ms: 0, killed: false }
  server.proc.kill(signal)
  let timer: Timer | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'timeout')
  })
  const result = await Promise.race([server.exited, timeout])
  clearTimeout(timer)
  if (result === 'timeout') {
    server.proc.kill('SIGKILL')
    await server.exited
    return { code: null, ms: performance.now() - start, killed: true }
  }
  return { code: result, ms: performance.now() - start, killed: false }
}

/** The server's last log lines other than per-request ones, to show why it died. */
export function logTail(server: SuiteServer, lines = 15): string[] {
  const out = server
    .output()
    .split('\n')
    .filter((line) => line && !line.includes('"msg":"request"'))
    .slice(-lines)
  const err = server.stderr().split('\n').filter(Boolean).slice(-lines)
  const exit = `exit code ${server.proc.exitCode}, signal ${server.proc.signalCode ?? 'none'}`
  return [...out, ...err.map((line) => `stderr: ${line}`), exit].map((line) =>
    line.length > 600 ? `${line.slice(0, 600)}...` : line,
  )
}
