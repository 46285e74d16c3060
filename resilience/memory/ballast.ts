/**
 * Preloaded into the server process (`BUN_OPTIONS=--preload ...`) so the suite can make that very
 * process hold real memory, with no endpoint for it: on SIGUSR1 it resizes its ballast to the
 * megabytes written in RESILIENCE_BALLAST_FILE, on SIGUSR2 it drops all of it. The bytes are
 * written, not just reserved, so they count in the RSS the memory guard measures.
 */
import { readFileSync } from 'node:fs'

const CHUNK_MB = 8
const MB = 1024 * 1024
const file = process.env.RESILIENCE_BALLAST_FILE
let held: Uint8Array[] = []
let target = 0
let seq = '0'
let resizing = false

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

function report() {
  const line = {
    level: 'info',
    msg: 'ballast',
    seq,
    ballast_mb: held.length * CHUNK_MB,
    rss_bytes: process.memoryUsage().rss,
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

/**
 * Grows one chunk per event-loop turn: touching hundreds of megabytes at once blocks the loop
 * for seconds on a busy machine, which would stall requests for a reason the app does not have.
 */
async function resize() {
  if (resizing) return
  resizing = true
  try {
    while (held.length !== target) {
      if (held.length < target) held.push(new Uint8Array(CHUNK_MB * MB).fill(0xa5))
      else {
        held = held.slice(0, target)
        Bun.gc(true)
      }
      await nextTurn()
    }
    report()
  } finally {
    resizing = false
  }
}

function read(): [string, number] {
  const [s = '0', mb = '0'] = readFileSync(file!, 'utf8').trim().split(/\s+/)
  return [s, Math.max(0, Math.round(Number(mb) / CHUNK_MB))]
}

if (file) {
  process.on('SIGUSR1', () => {
    ;[seq, target] = read()
    void resize()
  })
  process.on('SIGUSR2', () => {
    ;[seq] = read()
    target = 0
    held = []
    Bun.gc(true)
    void resize()
  })
}
