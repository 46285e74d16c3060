import { dlopen, FFIType } from 'bun:ffi'
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

const LOCK_EX = 2
const LOCK_NB = 4
const LOCK_UN = 8

/** A data directory another process holds; its message is the one line the user sees. */
export class DataDirInUseError extends Error {
  constructor(readonly dir: string, holder: string) {
    super(
      `the data directory ${dir} is in use by another process (${holder || 'pid unknown'}): PGlite allows one ` +
        'process per data directory; stop that one first, or use DATABASE_URL (PostgreSQL)',
    )
  }
}

export interface DataDirLock {
  release(): void
}

let flock: ((fd: number, operation: number) => number) | undefined

function loadFlock() {
  if (flock) return flock
  const names = process.platform === 'darwin' ? ['libc.dylib'] : ['libc.so.6', 'libc.so']
  for (const name of names) {
    try {
      const lib = dlopen(name, {
        flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      })
      return (flock = lib.symbols.flock)
    } catch {
      // the next name
    }
  }
  throw new Error(`cannot lock the data directory: no flock() in ${names.join(' or ')}`)
}

/**
 * Takes the exclusive lock that makes a PGlite data directory one process's: PGlite keeps pages
 * in its own memory and writes them back when it likes, so two processes on one directory each
 * overwrite the other's files (rows that vanish, a corrupt catalog). An flock(2) lock belongs to
 * the open file, so the kernel drops it when the process ends, however it ends: a process killed
 * with -9 leaves no stale lock behind. The holder's pid and command are written into the file for
 * the message the next one prints.
 */
export function lockDataDir(path: string): DataDirLock {
  const lock = loadFlock()
  const fd = openSync(path, 'a+', 0o600)
  if (lock(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd)
    let holder = ''
    try {
      holder = readFileSync(path, 'utf8').trim()
    } catch {
      // unreadable: the message says "pid unknown"
    }
    throw new DataDirInUseError(dirname(path), holder)
  }
  ftruncateSync(fd, 0)
  const command = process.argv.slice(1).map((a) => a.split('/').at(-1)).join(' ')
  writeSync(fd, `pid ${process.pid}: ${command}\n`)
  let held = true
  return {
    release() {
      if (!held) return
      held = false
      lock(fd, LOCK_UN)
      closeSync(fd)
    },
  }
}
