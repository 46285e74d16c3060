/** Every place is taken and the queue is full, or the wait ran out: the caller retries later. */
export class LimitReached extends Error {
  constructor(readonly limit: string) {
    super(`too many ${limit} waiting`)
  }
}

export interface ConcurrencyLimitOptions {
  /** What is limited, for messages: "password hashes", "exports". */
  name: string
  /** Tasks that hold a place at once. */
  concurrency: number
  /** Tasks that may wait for a place, in arrival order; past that, LimitReached at once. */
  maxQueued: number
  /** How long one may wait for a place before giving up with LimitReached (none by default). */
  maxWaitMs?: number
}

/**
 * A semaphore for work that holds memory or a connection for as long as it runs (argon2id hashes,
 * streamed exports): at most `concurrency` at once, a bounded queue behind them, and a refusal
 * beyond that before the work allocates anything. Hand-written because the common libraries
 * (p-limit, p-queue) queue without bound and cannot hand a place to work that outlives a promise,
 * such as a response body still streaming.
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions) {
  const { name, concurrency, maxQueued, maxWaitMs } = options
  let running = 0
  const queue: (() => void)[] = []

  /** A freed place passes straight to the next in line: `running` drops only when none waits. */
  const freePlace = () => {
    const next = queue.shift()
    if (next) next()
    else running--
  }

  /**
   * Waits for a place and resolves to the function that gives it back (idempotent). Rejects with
   * LimitReached when the queue is full or the wait runs out, and with the signal's reason when
   * it is aborted first.
   */
  async function acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (running < concurrency) running++
    else if (queue.length >= maxQueued) throw new LimitReached(name)
    else await waitInLine(signal)
    let released = false
    return () => {
      if (released) return
      released = true
      freePlace()
    }
  }

  function waitInLine(signal?: AbortSignal) {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      const grant = () => {
        done()
        resolve()
      }
      const leave = (reason: unknown) => {
        queue.splice(queue.indexOf(grant), 1)
        done()
        reject(reason)
      }
      const onAbort = () => leave(signal!.reason)
      const timer =
        maxWaitMs === undefined
          ? undefined
          : setTimeout(() => leave(new LimitReached(name)), maxWaitMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(grant)
    })
  }

  /** Runs `task` in a place of its own, given back when it settles. */
  async function run<T>(task: () => Promise<T>): Promise<T> {
    const release = await acquire()
    try {
      return await task()
    } finally {
      release()
    }
  }

  return {
    acquire,
    run,
    get running() {
      return running
    },
    get waiting() {
      return queue.length
    },
  }
}

export type ConcurrencyLimit = ReturnType<typeof concurrencyLimit>
