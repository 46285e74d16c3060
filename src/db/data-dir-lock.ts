import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** A data directory another process holds; its message is the one line the user sees. */
export class DataDirInUseError extends Error {
  constructor(readonly dir: string, holder: string) {
    super(
      `the data directory ${dir} is in use by another process (${holder}): ` +
        'PGlite allows one process per data directory; stop that one first, or use ' +
        'DATABASE_URL (PostgreSQL)',
    )
  }
}

export interface DataDirLock {
  release(): void
}

interface Holder {
  pid: number
  /** When the process started (Linux: /proc/<pid>/stat), so a reused pid is not taken for it. */
  started: string
  command: string
}

/** A holder that has not finished writing its file yet is given this long. */
const WRITING_GRACE_MS = 5000

function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
  } catch {
    return ''
  }
}

function isRunning(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const started = startTimeOf(holder.pid)
  return !holder.started || !started || started === holder.started
}

function parse(text: string): Holder | undefined {
  try {
    const holder = JSON.parse(text) as Holder
    return Number.isInteger(holder.pid) ? holder : undefined
  } catch {
    return undefined
  }
}

const describe = (h: Holder) => `pid ${h.pid}: ${h.command}`

/**
 * Makes a PGlite data directory one process's: PGlite keeps pages in its own memory and writes
 * them back when it likes, so two processes on one directory overwrite each other's files (rows
 * that vanish, a corrupt catalog). The lock is a file created exclusively, naming its holder's
 * pid and start time; a file whose holder is gone (killed with -9, or its pid reused by another
 * program) is stale and taken over at once, so a crash never blocks the next start. It needs
 * nothing of the runtime (an flock() through bun:ffi would, and FFI is off with the JIT in small
 * budgets). Processes are compared within one machine and pid namespace.
 */
export function lockDataDir(path: string): DataDirLock {
  const command = process.argv.slice(1).map((a) => a.split('/').at(-1)).join(' ')
  const me: Holder = { pid: process.pid, started: startTimeOf(process.pid), command }
  const mine = JSON.stringify(me)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx', mode: 0o600 })
      return {
        release() {
          try {
            if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true })
          } catch {
            // already gone
          }
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue // removed meanwhile: try again
    }
    const holder = parse(text)
    if (holder && holder.pid !== process.pid && isRunning(holder)) {
      throw new DataDirInUseError(dirname(path), describe(holder))
    }
    if (!holder && Date.now() - statSync(path).mtimeMs < WRITING_GRACE_MS) {
      throw new DataDirInUseError(dirname(path), 'a process that is just starting')
    }
    // Stale: removed only if it still is the file judged, so a fresh holder's is never deleted.
    if (readFileSync(path, 'utf8') === text) rmSync(path, { force: true })
  }
  throw new DataDirInUseError(dirname(path), 'another process that is taking it over')
}
