import { connect, type Socket } from 'node:net'
import type postgres from 'postgres'

/** A query (or a connection attempt) that heard nothing from PostgreSQL within its budget. */
export class QueryTimeout extends Error {
  readonly code = 'QUERY_TIMEOUT'
  constructor(ms: number, what = 'the database') {
    super(`${what} did not answer within ${ms} ms`)
  }
}

/** The few options postgres.js hands a `socket` factory (its parsed connection options). */
interface SocketOptions {
  host: string[]
  port: number[]
  path?: string | false
  ssl?: unknown
}

interface Watched {
  socket: Socket
  /** When the oldest write still without any answer was made; 0 when nothing is awaited. */
  waitingSince: number
}

export interface SocketWatchdog {
  /** postgres.js's `socket` option: opens each connection, and watches it when it is plain TCP. */
  open(options: SocketOptions): Socket
  stop(): void
}

/**
 * Closes any connection that wrote to PostgreSQL and heard nothing back for `budgetMs`. A
 * silent network (a partition, a host that died without a reset) delivers neither the server's
 * statement_timeout nor an error, and TCP keepalive only probes idle connections; without this,
 * postgres.js waits on such a connection for as long as the kernel keeps retransmitting (many
 * minutes), with every query sent to it. Destroying the socket fails those queries at once (an
 * outage: 503) and hands the connection back to the pool, which opens a new one on demand: the
 * pool heals by itself when the database is reachable again.
 *
 * Only the bytes are watched, not the protocol, so the clock runs from the first write that has
 * had no byte back since: a statement that takes longer than the budget to send its first row
 * is closed too (the per-query budget allows no more), while a long COPY that keeps sending, or
 * that waits for a slow reader, is not. Connections upgraded to TLS are not watched (their bytes
 * travel on another socket object); `boundedClient` still bounds every query on them.
 */
export function socketWatchdog(budgetMs: number): SocketWatchdog {
  const watched = new Set<Watched>()
  let nextHost = 0
  const timer = setInterval(
    () => {
      const now = performance.now()
      for (const w of watched) {
        if (w.waitingSince !== 0 && now - w.waitingSince >= budgetMs) {
          watched.delete(w)
          w.socket.destroy(new QueryTimeout(budgetMs))
        }
      }
    },
    Math.min(Math.max(budgetMs / 4, 50), 1000),
  )
  timer.unref()

  return {
    open(options) {
      // postgres.js writes its startup message at once: a socket still connecting queues it.
      let socket: Socket
      if (options.path) {
        socket = connect(options.path)
      } else {
        const at = nextHost++ % options.host.length
        socket = connect(options.port[at] ?? options.port[0]!, options.host[at])
      }
      if (options.ssl) return socket
      const w: Watched = { socket, waitingSince: 0 }
      const write = socket.write
      socket.write = function watchedWrite(this: Socket, ...args: unknown[]) {
        if (w.waitingSince === 0) w.waitingSince = performance.now()
        return (write as (...a: unknown[]) => boolean).apply(this, args)
      } as Socket['write']
      socket.on('data', () => {
        w.waitingSince = 0
      })
      socket.once('close', () => watched.delete(w))
      watched.add(w)
      return socket
    },
    stop() {
      clearInterval(timer)
    },
  }
}

type Sql = postgres.Sql | postgres.TransactionSql
type Fail = (error: unknown) => void

type Pending = Promise<unknown> & { cancel(): void }
/** A query of postgres.js's `unsafe`: awaited for rows as objects, `.values()` for arrays. */
type Unsafe = (...args: unknown[]) => Pending & { values(): Pending }

/** What drizzle expects back from `unsafe`, each form run by `run` (`values`: as arrays). */
const unsafeAnswer = (run: (values: boolean) => Promise<unknown>) => ({
  values: () => run(true),
  then: (onValue: (v: unknown) => unknown, onError?: (e: unknown) => unknown) =>
    run(false).then(onValue, onError),
})

/**
 * Races a postgres.js query against its budget. A query still waiting in the pool's queue is
 * withdrawn, so it cannot run after its request has been answered; one already sent is left to
 * the watchdog and the server's statement_timeout.
 */
function within(query: Pending, ms: number, fail?: Fail): Promise<unknown> {
  let timer: Timer | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new QueryTimeout(ms)
      if (!(query as unknown as { state?: unknown }).state) query.cancel()
      fail?.(error)
      reject(error)
    }, ms)
  })
  return Promise.race([query, timeout]).finally(() => clearTimeout(timer))
}

/**
 * The postgres.js client drizzle is given: every statement it sends (reads, writes, and each
 * statement of a transaction, its BEGIN and COMMIT included) gets at most `ms` to answer, or
 * fails with QueryTimeout, which the app answers with 503 and Retry-After. Only what drizzle
 * calls (`unsafe`, `begin`, `savepoint`, `options`) is bounded; the rest is the client itself.
 */
export function boundedClient<S extends Sql>(sql: S, ms: number, fail?: Fail): S {
  const bounded = Object.create(sql) as Record<string, unknown>
  // Only the pool leases; a transaction's statements already run on a connection of its own.
  const pool = 'reserve' in sql ? (sql as postgres.Sql) : undefined
  bounded.unsafe = (...args: unknown[]) => {
    if (pool && WRITE.test(args[0] as string)) return onQuietConnection(pool, args, ms)
    const query = (sql.unsafe as Unsafe)(...args)
    return unsafeAnswer((values) => within(values ? query.values() : query, ms, fail))
  }
  if ('begin' in sql) {
    bounded.begin = (...args: unknown[]) =>
      transaction(args, ms, (wrapped) => (sql as postgres.Sql).begin(...(wrapped as [never])))
  }
  if ('savepoint' in sql) {
    bounded.savepoint = (...args: unknown[]) => {
      const fn = args.pop() as (tx: Sql) => unknown
      return (sql as postgres.TransactionSql).savepoint(...(args as []), (tx) =>
        fn(boundedClient(tx, ms, fail)),
      )
    }
  }
  return bounded as S
}

/**
 * A statement that writes by itself, outside a transaction: drizzle's insert, update and delete.
 * A `with` that writes (the key-expiry sweep, the seed) counts as a read; nobody is answered
 * about those, so a late run misleads no one.
 */
const WRITE = /^\s*(?:insert|update|delete|merge)\b/i

/**
 * A single write on the pool, run on a connection with nothing else in flight. With every
 * connection busy, postgres.js pipelines a new statement behind the others on one of them, where
 * it counts as sent and cannot be withdrawn: a write answered 503 there would still happen once
 * its turn came (a venue created that its admin was told was not). Leased instead, it waits in
 * the pool's queue, and one whose budget ran out meanwhile gives its connection back without
 * running. Reads keep pipelining: a late read harms nobody, and holding them back cost about a
 * fifth of the by-id rate (`max_pipeline: 1`). postgres.js tells its own exclusive statements
 * (BEGIN) by their text the same way.
 */
function onQuietConnection(sql: postgres.Sql, args: unknown[], ms: number) {
  const start = (values: boolean) => {
    let lost: unknown
    let timer: Timer | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject((lost = new QueryTimeout(ms))), ms)
    })
    const run = sql.reserve().then(async (connection) => {
      try {
        if (lost) throw lost
        const query = (connection.unsafe as Unsafe)(...args)
        return await (values ? query.values() : query)
      } finally {
        connection.release()
      }
    })
    // Once the race is lost nobody waits for the lease; its failure is not an unhandled one.
    run.catch(() => {})
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer))
  }
  return unsafeAnswer(start)
}

/**
 * A transaction within the budget: BEGIN must be answered in time, each statement inside is
 * bounded, and so is the COMMIT. A statement that times out fails the whole transaction at once:
 * postgres.js would otherwise send ROLLBACK down the same silent connection and wait on it.
 */
function transaction(
  args: unknown[],
  ms: number,
  begin: (args: unknown[]) => Promise<unknown>,
): Promise<unknown> {
  const fn = args.pop() as (tx: postgres.TransactionSql) => unknown
  let lost: unknown
  let fail!: Fail
  const failed = new Promise<never>((_, reject) => {
    fail = (error) => {
      lost ??= error
      reject(error)
    }
  })
  let timer = setTimeout(() => fail(new QueryTimeout(ms, 'BEGIN')), ms)
  const run = begin([
    ...args,
    async (tx: postgres.TransactionSql) => {
      clearTimeout(timer)
      // Its caller was answered (503) while it waited for a connection: roll back, run nothing.
      if (lost) throw lost
      const result = await fn(boundedClient(tx, ms, fail))
      timer = setTimeout(() => fail(new QueryTimeout(ms, 'COMMIT')), ms)
      return result
    },
  ])
  // Once the race is lost the transaction ends later (its connection closed, or the network
  // back and ROLLBACK answered); nobody waits for it, and its failure is not an unhandled one.
  run.catch(() => {})
  return Promise.race([run, failed]).finally(() => clearTimeout(timer))
}
