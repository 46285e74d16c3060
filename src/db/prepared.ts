import { sql, type SQL } from 'drizzle-orm'
import type { PgSession, PgTable } from 'drizzle-orm/pg-core'
import type { Db } from './client'
import type { Tx } from './transaction'
import { countUpToQuery, windowShape, windowValues, type PageWindow } from './keyset'

type Values = Record<string, unknown>

/** A query built with `sql.placeholder`s: run as it is, or prepared. */
export interface PreparableQuery<Result> {
  execute(values?: Values): Promise<Result>
  prepare(name: string): { execute(values?: Values): Promise<Result> }
}

/** A built query: its SQL text and parameters, placeholders still open. */
interface BuiltQuery {
  toSQL(): { sql: string; params: unknown[] }
}

/** A prepared statement whose rows are returned as the driver read them. */
export interface UnmappedStatement<Row> {
  execute(values?: Values): Promise<Row[]>
}

/**
 * How PostgreSQL plans a statement. `shared`: prepared by name, parsed and planned once per pooled
 * connection; after five runs PostgreSQL may keep one generic plan, made without the values, for
 * every later run. `per-run`: the SQL is still built once, but sent unnamed, so each run is
 * planned for its own values. For filters whose best plan depends on their values by orders of
 * magnitude (a date range: a week is served by the period's gist index, ten years by a scan that
 * stops at the count's bound), where one generic plan is right for one end and wrong for the other.
 */
export type Planning = 'shared' | 'per-run'

/**
 * `query` prepared as `name` (unnamed, and planned on each run, when `name` is undefined), its
 * rows returned as the driver reads them (an object per row, keyed by column name) instead of
 * rebuilt by drizzle field by field through each column's decoder. Only for a select list that
 * already is the answer (`wireFields`: every column named as the API names it, instants as text,
 * int8 read as numbers by both drivers). drizzle's mapping (`mapResultRow`: an entity check, a
 * path iterator and a decoder call per field) cost about as much as the driver's own work for a
 * page of bookings. postgres.js answers an array, PGlite an object holding `rows`.
 */
export function unmapped<Row>(
  db: Db,
  name: string | undefined,
  query: BuiltQuery,
): UnmappedStatement<Row> {
  const { session } = db._ as unknown as { session: PgSession }
  // drizzle asks the driver to prepare exactly when the statement has a name.
  const statement = session.prepareQuery(query.toSQL(), undefined, name, false)
  return {
    async execute(values) {
      const result = (await statement.execute(values)) as unknown as Row[] | { rows: Row[] }
      return Array.isArray(result) ? result : result.rows
    },
  }
}

const statements = new WeakMap<Db, Map<string, unknown>>()
const scopeIds = new WeakMap<object, number>()
let lastScopeId = 0

/**
 * A statement built once per database handle (the server and each test hold their own) and name,
 * and per `scope` object when given. drizzle sends any query not prepared by name as an unnamed
 * statement, built again on every call and parsed and planned by PostgreSQL every time;
 * a prepared one is built here once and parsed and planned once per pooled connection.
 */
export function preparedOnce<T>(
  db: Db,
  name: string,
  build: (name: string) => T,
  scope?: object,
): T {
  let built = statements.get(db)
  if (!built) statements.set(db, (built = new Map()))
  if (scope) {
    let id = scopeIds.get(scope)
    if (id === undefined) scopeIds.set(scope, (id = ++lastScopeId))
    name = `${name}_${id}`
  }
  let statement = built.get(name) as T | undefined
  if (statement === undefined) built.set(name, (statement = build(name)))
  return statement
}

/**
 * Runs a list query for `window`, prepared once per list `name`, keyset and window shape (see
 * `windowShape`): `build` receives the window of placeholders, `values` fill the query's own.
 * A window built by hand, without its keyset, runs unprepared. `unmapped` rows come back as the
 * driver reads them (see `unmapped`), for select lists that already are the answer; `per-run`
 * planning (see `Planning`) is for those only: a mapped page planned per run is built each time.
 */
export function preparedPage<Row>(
  db: Db,
  name: string,
  window: PageWindow,
  build: (window: PageWindow) => PreparableQuery<Row[]>,
  values: Values,
  rows: 'mapped' | 'unmapped' = 'mapped',
  planning: Planning = 'shared',
): Promise<Row[]> {
  const { keyset } = window
  if (!keyset || (planning === 'per-run' && rows === 'mapped')) {
    return build(window).execute(values)
  }
  const cursor = window.key !== undefined
  const statement = preparedOnce(
    db,
    `${name}_${cursor ? 'after' : 'offset'}`,
    (unique) => {
      const query = build(windowShape(keyset, cursor))
      if (rows === 'mapped') return query.prepare(unique)
      return unmapped<Row>(db, planning === 'shared' ? unique : undefined, query as never)
    },
    keyset,
  )
  return statement.execute({ ...values, ...windowValues(window) })
}

/**
 * A statement prepared once (by `preparedOnce`) run inside the transaction `tx`. drizzle binds a
 * prepared query to the session it was built on, and every transaction is a session of its own
 * (a reserved postgres.js connection, a PGlite transaction): preparing again per transaction
 * would generate the SQL again every time. The statement is the same but for the driver client
 * it sends through, so it runs with the transaction's. drizzle has no public way to rebind;
 * the checks below fail loudly, rather than run outside the transaction, should that change.
 */
export function inTransaction<Statement extends object>(statement: Statement, tx: Tx): Statement {
  const client = (tx._.session as unknown as { client?: unknown }).client
  if (client === undefined || !Object.hasOwn(statement, 'client')) {
    throw new Error('this drizzle version keeps no driver client to rebind a prepared statement')
  }
  return Object.create(statement, { client: { value: client } }) as Statement
}

/**
 * The rows of `table` matching `where` (built, the first time only, with the placeholders
 * `values` fill), counted up to `upTo` + 1 (see `countUpToQuery`), built once per `name` and
 * planned as `planning` says.
 */
export async function preparedCount(
  db: Db,
  name: string,
  table: PgTable,
  where: () => SQL | undefined,
  values: Values,
  upTo: number,
  planning: Planning = 'shared',
): Promise<number> {
  const statement = preparedOnce(db, `count_${name}`, (unique) => {
    const query = countUpToQuery(db, table, where(), sql.placeholder('count_limit'))
    if (planning === 'shared') return query.prepare(unique)
    // Unmapped, the column goes by PostgreSQL's name for count(*); both drivers read its int8 as
    // a number (db/client.ts).
    const counted = unmapped<{ count: number }>(db, undefined, query)
    return {
      execute: async (values?: Values) =>
        (await counted.execute(values)).map((row) => ({ n: row.count })),
    }
  })
  const [row] = await statement.execute({ ...values, count_limit: upTo + 1 })
  return row?.n ?? 0
}
