import { and, count, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { PgColumn, PgSelect, PgTable } from 'drizzle-orm/pg-core'
import type { Db } from './client'

export type SortValue = string | number
export type Key = [SortValue, number]

/**
 * The order of a list: one sort column (possibly the id itself) then the id, both one way. Declare
 * each once, as a constant: prepared list statements are kept per keyset object.
 */
export interface Keyset<Row> {
  sort: PgColumn | SQL
  id: PgColumn
  direction: 'asc' | 'desc'
  /** Reads the sort value and id back from a row, to build the next cursor. */
  key: (row: Row) => Key
  /** Casts the decoded sort value back to its SQL type. */
  sortType?: 'timestamptz' | 'bigint' | 'int' | 'text'
}

export interface PageWindow {
  /** Extra condition for keyset pages (`undefined` for offset pages). */
  after: SQL | undefined
  orderBy: SQL[]
  limit: number | Placeholder
  offset: number | Placeholder
  /** What the window was built from, so a list can run as a prepared statement (`windowShape`). */
  keyset?: Keyset<never>
  key?: Key
}

/**
 * `query` (a select in drizzle's dynamic mode, `.$dynamic()`) narrowed to the page `window`:
 * `where` with the window's keyset condition, then its order, limit and offset.
 *
 * @example
 * inWindow(db.select(fields).from(bookings).$dynamic(), eq(bookings.userId, id), window)
 */
export const inWindow = <Q extends PgSelect>(query: Q, where: SQL | undefined, window: PageWindow) =>
  query
    .where(and(where, window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)

/**
 * Which page a request wants, as the HTTP layer decoded it: `size` rows after `key` (a cursor
 * page) or `offset` rows in. `countUpTo` asks for the total, counted exactly up to that many
 * rows; cursor pages leave it out and carry the first page's total instead.
 */
export interface PageSpec {
  size: number
  offset: number
  key?: Key
  countUpTo?: number
}

/** A page as a list query read it: `rows` (at most the page size), and what follows. */
export interface Page<Row> {
  rows: Row[]
  /** The key of the page's last row when another page follows, else null. */
  nextKey: Key | null
  /** Rows counted, up to `countUpTo` + 1 (more than `countUpTo`: at least that many). */
  counted: number | undefined
}

const orders = new WeakMap<Keyset<never>, SQL[]>()

/** A keyset's ORDER BY, built once per keyset: every page of a list asks for it. */
function orderOf(keyset: Keyset<never>): SQL[] {
  let order = orders.get(keyset)
  if (!order) {
    const dir = keyset.direction === 'asc' ? sql`asc` : sql`desc`
    orders.set(keyset, (order = [sql`${keyset.sort} ${dir}`, sql`${keyset.id} ${dir}`]))
  }
  return order
}

function afterOf(keyset: Keyset<never>, sort: unknown, id: unknown): SQL {
  const cmp = keyset.direction === 'asc' ? sql`>` : sql`<`
  const cast = sql.raw(keyset.sortType ?? 'bigint')
  return sql`(${keyset.sort}, ${keyset.id}) ${cmp} (${sort}::${cast}, ${id}::bigint)`
}

/**
 * Order and keyset condition of a page that follows the row with `key` (none: the first page).
 * The condition is built when read: a prepared list reads only the key (`windowValues`).
 */
export function keysetWindow<Row>(
  keyset: Keyset<Row>,
  key: Key | undefined,
  limit: number,
  offset = 0,
): PageWindow {
  const own = keyset as unknown as Keyset<never>
  return {
    get after() {
      return key ? afterOf(own, key[0], key[1]) : undefined
    },
    orderBy: orderOf(own),
    limit,
    offset,
    keyset: own,
    key,
  }
}

/**
 * The window of a prepared list statement: placeholders `limit`, `offset`, and on cursor pages
 * `after_sort` and `after_id`, filled by `windowValues`. Two shapes per keyset, offset pages
 * (page 1 included) and cursor pages, cover every request, whatever its page or cursor.
 */
export function windowShape(keyset: Keyset<never>, cursor: boolean): PageWindow {
  return {
    after: cursor
      ? afterOf(keyset, sql.placeholder('after_sort'), sql.placeholder('after_id'))
      : undefined,
    orderBy: orderOf(keyset),
    limit: sql.placeholder('limit'),
    offset: sql.placeholder('offset'),
  }
}

/** A window's values, for the placeholders of its `windowShape`. */
export const windowValues = (window: PageWindow) => ({
  limit: window.limit,
  offset: window.offset,
  after_sort: window.key?.[0],
  after_id: window.key?.[1],
})

/**
 * Reads one page: `size` + 1 rows (the extra one tells whether a next page exists without a
 * count), and the total when the spec asks for it, at the same time. `rows` gets the window.
 */
export async function readPage<Row>(
  spec: PageSpec,
  keyset: Keyset<Row>,
  rows: (window: PageWindow) => Promise<Row[]>,
  total: (upTo: number) => Promise<number>,
): Promise<Page<Row>> {
  const window = keysetWindow(keyset, spec.key, spec.size + 1, spec.key ? 0 : spec.offset)
  const [fetched, counted] = await Promise.all([
    rows(window),
    spec.countUpTo === undefined ? undefined : total(spec.countUpTo),
  ])
  const hasNext = fetched.length > spec.size
  if (hasNext) fetched.length = spec.size
  const last = fetched.at(-1)
  return { rows: fetched, nextKey: hasNext && last ? keyset.key(last) : null, counted }
}

/**
 * `select count(*)` of at most `upTo` + 1 matching rows: exact up to the bound, and never more
 * work than reading that many index entries, however many rows match (a year of bookings is a
 * parallel scan of the whole table otherwise). `limit` is a placeholder so the statement can be
 * prepared.
 */
export const countUpToQuery = (
  db: Db,
  table: PgTable,
  where: SQL | undefined,
  limit: number | Placeholder,
) =>
  db
    .select({ n: count() })
    .from(db.select({ one: sql`1` }).from(table).where(where).limit(limit).as('matches'))
