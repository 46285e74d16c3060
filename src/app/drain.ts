type Server = ReturnType<typeof Bun.serve>
type Fetch = (request: Request, server: Server) => Response | Promise<Response>

export interface Draining {
  /** The app's fetch, answering `Connection: close` once `shutdown` has aborted. */
  fetch: Fetch
  /** Settles once every request that was in flight when `shutdown` aborted has its answer. */
  settled(): Promise<void>
}

/**
 * Wraps the server's fetch for a graceful shutdown driven by `shutdown` (deps.shutdown). Once it
 * aborts, every answer carries `Connection: close`, so a client's kept-alive connection ends after
 * its next answer instead of being cut under a request; `settled` tells when the requests that
 * were already in flight have been answered, after which the server may close the idle ones.
 * Requests that arrive later are not waited for here: `server.stop(false)` waits for them.
 */
export function draining(fetch: Fetch, shutdown: AbortSignal): Draining {
  let early = 0
  const done = Promise.withResolvers<void>()
  shutdown.addEventListener('abort', () => early === 0 && done.resolve(), { once: true })
  return {
    async fetch(request, server) {
      const counted = !shutdown.aborted
      if (counted) early++
      try {
        const res = await fetch(request, server)
        if (shutdown.aborted) res.headers.set('Connection', 'close')
        return res
      } finally {
        if (counted && --early === 0 && shutdown.aborted) done.resolve()
      }
    },
    settled: () => done.promise,
  }
}
