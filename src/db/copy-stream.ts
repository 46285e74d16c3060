import type { Readable } from 'node:stream'
import postgres from 'postgres'
import { asIs, type CopyEncoder } from './copy-encoders'

interface CopyStreamOptions {
  encoder?: CopyEncoder
  /** Aborted when the client goes away: the COPY is cancelled on the server. */
  signal?: AbortSignal
  /** A failure after the response started (not the cancel of a client that left). */
  onError?: (error: unknown) => void
  /** Once the statement is over, however it ended, and its connection is the pool's again. */
  onDone?: () => void
  /** Each chunk's size as it is handed to the body. */
  onChunk?: (bytes: number) => void
}

const HIGH_WATER = 64 * 1024

/** A server's error leaves the connection usable; a lost connection is the pool's to replace. */
const connectionAlive = (error: unknown) => !error || error instanceof postgres.PostgresError

/**
 * postgres.js pauses the connection's socket when its COPY stream is full and resumes it only
 * when the stream is read again, which never happens once the stream has ended: a COPY that ends
 * while paused leaves the socket paused, and the connection's next query waits forever. The
 * stream's read hook resumes the socket, as reading on would have.
 */
const resumeSocket = (source: Readable) =>
  (source as unknown as { _read(size: number): void })._read(0)

/**
 * Runs `statement` (a `COPY ... TO STDOUT`) on a connection of its own and streams its bytes as a
 * response body, with back-pressure all the way: at most HIGH_WATER bytes wait for the body to
 * be read, and then postgres.js pauses the socket, so a slow client holds PostgreSQL back
 * instead of filling memory. Each read of the body gets what has gathered, encoded in one
 * buffer. Resolves once the COPY has started, so a statement that fails outright (or a
 * database that is down) is an error answer, not a cut-off body.
 *
 * Cancelling the body (or aborting the signal) cancels the COPY with pg_cancel_backend(), from
 * another pooled connection, and reads out what is still in flight: a backend blocked writing
 * to a reader that stopped does not act on a cancel until it can write. postgres.js's own
 * query.cancel() does nothing once a COPY has started. The connection stays reserved until
 * both the COPY is over and the cancel has been delivered, so a late cancel cannot reach a
 * query the pool has since given that connection. The pool needs a second connection for that.
 */
export async function copyStream(
  pool: postgres.Sql,
  statement: string,
  options: CopyStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const encoder = options.encoder ?? asIs()
  const connection = await pool.reserve()
  let pid: number
  let source: Readable
  try {
    const [backend] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`
    pid = backend!.pid
    // The pool's statement_timeout is for requests; a COPY runs as long as its reader takes and
    // stops when the reader leaves. SET LOCAL lasts until the end of this multi-statement query
    // (its implicit transaction), so the connection goes back to the pool as it came.
    source = await connection.unsafe(`set local statement_timeout = 0; ${statement}`).readable()
  } catch (error) {
    if (connectionAlive(error)) connection.release()
    throw error
  }

  let ended = false
  let failure: unknown
  let stopped = false
  let cancelled: Promise<unknown> = Promise.resolve()
  // Rows received and not yet passed on; past HIGH_WATER bytes the stream pauses, postgres.js's
  // buffer fills, and it pauses the socket.
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let wake: (() => void) | undefined
  const notify = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  let finished = false
  const finish = async (error?: unknown) => {
    if (finished) return
    finished = true
    options.signal?.removeEventListener('abort', stop)
    await cancelled
    if (connectionAlive(error)) {
      resumeSocket(source)
      connection.release()
    }
    options.onDone?.()
  }
  source.on('data', (chunk: Uint8Array) => {
    if (stopped) return
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes >= HIGH_WATER) source.pause()
    notify()
  })
  source.once('end', () => {
    ended = true
    void finish()
    notify()
  })
  // Always listened to: postgres.js destroys the stream with the error when the COPY fails.
  source.on('error', (error) => {
    failure = error
    void finish(error)
    notify()
  })

  function stop() {
    if (stopped || ended || failure) return
    stopped = true
    pending = []
    pendingBytes = 0
    cancelled = pool`select pg_cancel_backend(${pid})`.catch(() => undefined)
    // Read on and drop the rest, so the socket flows and the server gets to the cancel.
    source.resume()
  }
  if (options.signal?.aborted) stop()
  else options.signal?.addEventListener('abort', stop, { once: true })

  let started = false
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true
          if (encoder.head.length > 0) return controller.enqueue(encoder.head)
        }
        for (;;) {
          if (stopped) return controller.close()
          if (pendingBytes > 0) {
            const chunk = encoder.encode(pending, pendingBytes)
            pending = []
            pendingBytes = 0
            source.resume()
            options.onChunk?.(chunk.length)
            return controller.enqueue(chunk)
          }
          if (failure) {
            options.onError?.(failure)
            return controller.error(failure)
          }
          if (ended) {
            const tail = encoder.tail()
            if (tail.length > 0) controller.enqueue(tail)
            return controller.close()
          }
          await new Promise<void>((resolve) => (wake = resolve))
        }
      },
      cancel: stop,
    },
    { highWaterMark: 1 },
  )
}
