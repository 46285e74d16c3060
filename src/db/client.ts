import type * as PgliteModule from '@electric-sql/pglite'
import type * as GistModule from '@electric-sql/pglite/contrib/btree_gist'
import type { SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type * as DrizzlePgliteModule from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import type { Env } from '../env'
import { lockDataDir, type DataDirLock } from './data-dir-lock'
import { boundedClient, socketWatchdog } from './query-budget'
/**
 * No relational schema is passed to drizzle: the service queries through the builders only, and
 * with one drizzle builds a relational query builder per table for every transaction it opens.
 */
export type Db = PgDatabase<PgQueryResultHKT>

export interface PoolStats {
  max: number
  inUse: number
  idle: number
}

export interface Database {
  kind: 'postgres' | 'pglite'
  db: Db
  /** The raw postgres.js client, for cursors and COPY; absent on PGlite. */
  sql?: postgres.Sql
  pglite?: PgliteModule.PGlite
  /**
   * Runs `work` on a database handle whose statements have no client-side time budget (on
   * PostgreSQL a connection of its own): migrations and bulk loads, which may take longer.
   */
  withoutBudget<T>(work: (db: Db) => Promise<T>): Promise<T>
  ping(): Promise<void>
  poolStats(): PoolStats
  close(): Promise<void>
}

type DbEnv = Pick<
  Env,
  | 'DATABASE_URL'
  | 'DATA_DIR'
  | 'DB_POOL_SIZE'
  | 'DB_MAX_OVERFLOW'
  | 'DB_CONNECT_TIMEOUT_SECONDS'
  | 'DB_STATEMENT_TIMEOUT_MS'
  | 'DB_QUERY_TIMEOUT_MS'
  | 'DB_KEEPALIVE_SECONDS'
>

/** PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite under DATA_DIR. */
export function openDatabase(env: DbEnv, options: { inMemory?: boolean } = {}): Database {
  return env.DATABASE_URL ? openPostgres(env, env.DATABASE_URL) : openPglite(env, options.inMemory)
}

function openPostgres(env: DbEnv, url: string): Database {
  const max = env.DB_POOL_SIZE + env.DB_MAX_OVERFLOW
  let inUse = 0
  const budgetMs = env.DB_QUERY_TIMEOUT_MS
  // A silent network delivers no error and no statement_timeout: see query-budget.ts.
  const watchdog = budgetMs > 0 ? socketWatchdog(budgetMs) : undefined
  const sql = postgres(url, {
    max,
    connect_timeout: env.DB_CONNECT_TIMEOUT_SECONDS,
    // Idle pooled connections to a host that vanished are found by the kernel's probes.
    keep_alive: env.DB_KEEPALIVE_SECONDS,
    ...(watchdog ? { socket: watchdog.open as never } : {}),
    // postgres.js backs off up to 20 s between reconnects and queued queries wait it out; short
    // waits keep a dead database a fast 503 and let the pool recover as soon as it is back.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.25),
    idle_timeout: 60,
    max_lifetime: 60 * 30,
    onnotice: () => {},
    // int8 (ids, counts) as numbers, as PGlite reads them: rows read without drizzle's mapping
    // (db/prepared.ts `unmapped`) then already are the answer. Ids stay far below 2^53.
    types: { int8: { to: 20, from: [20], serialize: String, parse: Number } },
    connection: {
      application_name: 'venue-booking-api',
      statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: 60_000,
    },
  })
  const client = budgetMs > 0 ? boundedClient(sql, budgetMs) : sql
  const db = drizzlePostgres({ client }) as unknown as Db
  return {
    kind: 'postgres',
    db,
    sql,
    async withoutBudget(work) {
      const own = postgres(url, {
        max: 1,
        connect_timeout: env.DB_CONNECT_TIMEOUT_SECONDS,
        keep_alive: env.DB_KEEPALIVE_SECONDS,
        onnotice: () => {},
        connection: { application_name: 'venue-booking-api', statement_timeout: 0 },
      })
      try {
        return await work(drizzlePostgres({ client: own }) as unknown as Db)
      } finally {
        await own.end({ timeout: 5 })
      }
    },
    async ping() {
      inUse++
      try {
        await sql`select 1`
      } finally {
        inUse--
      }
    },
    poolStats() {
      // postgres.js exposes no pool counters; open connections are the ones it has reserved.
      const open = (sql as unknown as { connections?: { open: number } }).connections?.open
      return { max, inUse: Math.max(inUse, 0), idle: Math.max((open ?? 0) - inUse, 0) }
    },
    async close() {
      watchdog?.stop()
      await sql.end({ timeout: 5 })
    },
  }
}

/**
 * PostgreSQL's settings inside PGlite, for a small budget. The default shared_buffers (128 MB)
 * lives in the WebAssembly memory and is touched as pages are read: PGlite alone on the demo data
 * holds 274 MB RSS with PostgreSQL's defaults and 142 MB with these (`bun run bench:pglite`).
 * maintenance_work_mem only bounds index builds (migrations, seeding). PGlite writes them into
 * the directory's postgresql.conf.
 */
export const pgliteSettings = ['shared_buffers=8MB', 'maintenance_work_mem=16MB']

function openPglite(env: DbEnv, inMemory = false): Database {
  let dataDir = 'memory://'
  let lock: DataDirLock | undefined
  if (!inMemory) {
    mkdirSync(env.DATA_DIR, { recursive: true })
    // Before PGlite reads a byte: a second process must not even open the files.
    lock = lockDataDir(join(env.DATA_DIR, 'pglite.lock'))
    dataDir = join(env.DATA_DIR, 'pglite')
    mkdirSync(dataDir, { recursive: true })
  }
  // Loaded here rather than imported at the top: a server on PostgreSQL never pays for PGlite's
  // code (2 MB of idle RSS, bench/startup.ts). require() keeps openDatabase synchronous.
  const { PGlite } = require('@electric-sql/pglite') as typeof PgliteModule
  const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist') as typeof GistModule
  const { drizzle: drizzlePglite } = require('drizzle-orm/pglite') as typeof DrizzlePgliteModule
  // The extension must be given to a client we construct with an explicit data dir: PGlite drops
  // the options when the dir is undefined, and so does drizzle's `connection` form.
  const client = new PGlite(dataDir, {
    extensions: { btree_gist },
    postgresqlconf: pgliteSettings,
  })
  const db = drizzlePglite({ client }) as unknown as Db
  return {
    kind: 'pglite',
    db,
    pglite: client,
    withoutBudget: (work) => work(db),
    async ping() {
      await client.query('select 1')
    },
    poolStats: () => ({ max: 1, inUse: 0, idle: 1 }),
    async close() {
      try {
        await client.close()
      } finally {
        lock?.release()
      }
    },
  }
}

/** Rows of a raw SQL query; postgres.js returns an array, PGlite an object holding `rows`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}
