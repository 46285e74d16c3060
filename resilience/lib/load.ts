/** One request a load worker sends. */
export interface Call {
  /** A label the analysis groups by (e.g. `create-booking`). */
  op: string
  method: string
  path: string
  headers?: Record<string, string>
  /** A stream is sent chunked, as it is read: a slow client's upload. */
  body?: string | Uint8Array | FormData | ReadableStream<Uint8Array>
  /** The statuses this call answers when the service is healthy (default: 2xx). */
  expect?: (status: number) => boolean
  /** Checks a complete answer's body; a returned string marks the answer as broken. */
  verify?: (status: number, body: string) => string | undefined
}

export interface Sample {
  op: string
  /** performance.now() when the request was sent and when its answer was fully read. */
  start: number
  end: number
  /** 0 when no answer came (refused, reset, timed out). */
  status: number
  expected: boolean
  problem: boolean
  retryAfter: string | null
  error?: string
  /** The server's X-Request-Id, to find the request in its log. */
  requestId?: string
  /** The first 500 characters of an unexpected answer (a problem body says why it failed). */
  body?: string
  /** The parsed answer, for calls that keep it (see LoadOptions.keep). */
  json?: unknown
}

export interface LoadOptions {
  workers: number
  next: (worker: number) => Call
  /** Stops sending after this long (stop() may end it sooner). */
  durationMs: number
  /** No single request waits longer than this. */
  timeoutMs?: number
  /** Wait after a failed connection, so a dead server is not hammered in a tight loop. */
  pauseAfterErrorMs?: number
  /** Ops whose JSON answers are kept on the sample. */
  keep?: (op: string) => boolean
  /** Called with each sample as it completes (before the worker sends its next request). */
  onSample?: (sample: Sample) => void
}

export interface Load {
  samples: Sample[]
  /** Holds new requests back (those in flight go on) until resume(). */
  pause(): void
  resume(): void
  /** Asks the workers to stop and waits for the requests in flight. */
  stop(): Promise<Sample[]>
  done: Promise<Sample[]>
}

const is2xx = (status: number) => status >= 200 && status < 300

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? code : error.name
  }
  return String(error)
}

/** The text in 10 chunks spread over `ms`, sent chunked as a slow client would. */
export function trickle(text: string, ms: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  const parts = 10
  const size = Math.ceil(bytes.length / parts)
  let sent = 0
  return new ReadableStream({
    async pull(controller) {
      if (sent > 0) await Bun.sleep(ms / (parts - 1))
      controller.enqueue(bytes.subarray(sent, sent + size))
      sent += size
      if (sent >= bytes.length) controller.close()
    },
  })
}

/** Sends one call and measures it, never throwing. */
export async function send(
  base: string,
  call: Call,
  options: Partial<LoadOptions> = {},
): Promise<Sample> {
  const start = performance.now()
  const sample: Sample = {
    op: call.op,
    start,
    end: start,
    status: 0,
    expected: false,
    problem: false,
    retryAfter: null,
  }
  try {
    const res = await fetch(`${base}${call.path}`, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    })
    const text = await res.text()
    sample.status = res.status
    sample.problem =
      res.headers.get('content-type')?.startsWith('application/problem+json') ?? false
    sample.retryAfter = res.headers.get('retry-after')
    sample.expected = (call.expect ?? is2xx)(res.status)
    sample.requestId = res.headers.get('x-request-id') ?? undefined
    if (!sample.expected) sample.body = text.slice(0, 500)
    const broken = call.verify?.(res.status, text)
    if (broken) {
      sample.expected = false
      sample.error = broken
    }
    if (options.keep?.(call.op) && text) {
      try {
        sample.json = JSON.parse(text)
      } catch {
        sample.error ??= 'answer is not JSON'
      }
    }
  } catch (error) {
    sample.error = errorName(error)
  }
  sample.end = performance.now()
  return sample
}

/**
 * Closed-loop load: `workers` loops each send a call, wait for the whole answer, and send the
 * next, until `durationMs` passes or stop() is called. Every request becomes a Sample.
 */
export function startLoad(base: string, options: LoadOptions): Load {
  const samples: Sample[] = []
  const deadline = performance.now() + options.durationMs
  let stopped = false
  let gate: { open: Promise<void>; release: () => void } | undefined
  const worker = async (index: number) => {
    while (!stopped && performance.now() < deadline) {
      if (gate) await gate.open
      const sample = await send(base, options.next(index), options)
      samples.push(sample)
      options.onSample?.(sample)
      if (sample.status === 0) await Bun.sleep(options.pauseAfterErrorMs ?? 25)
    }
  }
  const done = Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i))).then(
    () => samples,
  )
  return {
    samples,
    done,
    pause() {
      let release = () => {}
      const open = new Promise<void>((resolve) => (release = resolve))
      gate ??= { open, release }
    },
    resume() {
      gate?.release()
      gate = undefined
    },
    stop() {
      stopped = true
      gate?.release()
      return done
    },
  }
}

export interface Probe {
  samples: Sample[]
  stop(): Promise<Sample[]>
}

/**
 * Sends one call every `intervalMs` (or as soon as the last answer came, if slower); with `keep`,
 * each sample holds the parsed answer.
 */
export function startProbe(base: string, call: Call, intervalMs: number, keep = false): Probe {
  const samples: Sample[] = []
  let stopped = false
  const done = (async () => {
    while (!stopped) {
      const sample = await send(base, call, { timeoutMs: 10_000, keep: () => keep })
      samples.push(sample)
      const wait = intervalMs - (sample.end - sample.start)
      if (wait > 0) await Bun.sleep(wait)
    }
    return samples
  })()
  return {
    samples,
    stop() {
      stopped = true
      return done
    },
  }
}
