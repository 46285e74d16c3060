const SIGNALS = ['SIGTERM', 'SIGINT'] as const
const ends = new Set<() => void>()

function endAll() {
  for (const end of [...ends]) end()
}

/**
 * Calls `end` when the process is told to stop, until the returned function is called. An event
 * stream never finishes by itself, and the server drains open responses on SIGTERM before it exits
 * (src/app/server.ts): without this, every open status page would hold a shutdown for the whole
 * SHUTDOWN_TIMEOUT_SECONDS. Signal listeners exist only while a stream is open, so a process that
 * has no handlers of its own still reacts to signals as usual when none is.
 */
export function untilShutdown(end: () => void): () => void {
  if (ends.size === 0) for (const signal of SIGNALS) process.on(signal, endAll)
  ends.add(end)
  return () => {
    if (!ends.delete(end) || ends.size > 0) return
    for (const signal of SIGNALS) process.off(signal, endAll)
  }
}
