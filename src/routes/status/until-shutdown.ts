/**
 * Calls `end` when `shutdown` (deps.shutdown, aborted on SIGTERM) aborts, until the returned
 * function is called. An event stream never finishes by itself, and the server waits for the
 * answers in flight before it exits (src/app/server.ts): without this, every open status page
 * would hold a shutdown for the whole SHUTDOWN_TIMEOUT_SECONDS.
 */
export function untilShutdown(shutdown: AbortSignal, end: () => void): () => void {
  if (shutdown.aborted) {
    end()
    return () => {}
  }
  shutdown.addEventListener('abort', end, { once: true })
  return () => shutdown.removeEventListener('abort', end)
}
