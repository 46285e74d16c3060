import { z } from '@hono/zod-openapi'
import { sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { Context } from 'hono'
import { wholeNumber } from './params'
import { badRequest } from './problem'

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100

/** The query parameters every list accepts; route query schemas extend it with their filters. */
export const PageQuery = z.object({
  page: wholeNumber(1, 1_000_000)
    .default(1)
    .openapi({ description: 'Page number, from 1', type: 'string', pattern: '^[0-9]+$', example: '1' }),
  page_size: wholeNumber(1, MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({
      description: `Items per page, 1 to ${MAX_PAGE_SIZE}`,
      type: 'string',
      pattern: '^[0-9]+$',
      example: String(DEFAULT_PAGE_SIZE),
    }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'Opaque `next_cursor` of the previous page: keyset pagination' }),
})
export type PageQuery = z.infer<typeof PageQuery>

export const PaginationSchema = z
  .object({
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    total_pages: z.number().int(),
    has_next: z.boolean(),
    has_prev: z.boolean(),
    next_cursor: z.string().nullable(),
  })
  .openapi('Pagination')

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), pagination: PaginationSchema })

export type SortValue = string | number
export type Key = [SortValue, number]

interface Cursor {
  key: Key
  page: number
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.page, ...cursor.key])).toString('base64url')
}

const MAX_INT = 2 ** 31 - 1

/**
 * What a cursor's sort value may be, per SQL type of the sort: exactly what `Keyset.key` writes
 * (`iso()` for instants), within the column's range, so a forged cursor is a 400 and never
 * reaches the driver or the database as a value they refuse.
 */
const sortValues = {
  // PostgreSQL has no year 0.
  timestamptz: z.iso.datetime({ precision: 3 }).refine((v) => !v.startsWith('0000-')),
  bigint: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  int: z.number().int().min(-MAX_INT - 1).max(MAX_INT),
  text: z.string().max(400).regex(/^[^\u0000]*$/),
} satisfies Record<NonNullable<Keyset<never>['sortType']>, z.ZodType<SortValue>>

const cursorOf = (sortType: NonNullable<Keyset<never>['sortType']>) =>
  z.tuple([
    z.number().int().min(1).max(Number.MAX_SAFE_INTEGER - 1),
    sortValues[sortType],
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ])

function decodeCursor(raw: string, keyset: Keyset<never>): Cursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    // falls through to the 400 below
  }
  const checked = cursorOf(keyset.sortType ?? 'bigint').safeParse(parsed)
  if (checked.success) {
    const [page, sort, id] = checked.data
    return { page, key: [sort, id] }
  }
  throw badRequest('The cursor is not one this API issued.', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ])
}

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

interface PaginateOptions<Row, Out> {
  query: PageQuery
  keyset: Keyset<Row>
  /** Runs the list query with the window's condition, order, limit and offset. */
  rows: (window: PageWindow) => Promise<Row[]>
  total: () => Promise<number>
  map: (row: Row) => Out
}

function orderOf(keyset: Keyset<never>): SQL[] {
  const dir = keyset.direction === 'asc' ? sql`asc` : sql`desc`
  return [sql`${keyset.sort} ${dir}`, sql`${keyset.id} ${dir}`]
}

function afterOf(keyset: Keyset<never>, sort: unknown, id: unknown): SQL {
  const cmp = keyset.direction === 'asc' ? sql`>` : sql`<`
  const cast = sql.raw(keyset.sortType ?? 'bigint')
  return sql`(${keyset.sort}, ${keyset.id}) ${cmp} (${sort}::${cast}, ${id}::bigint)`
}

/** Order and keyset condition of a page that follows the row with `key` (none: the first page). */
export function keysetWindow<Row>(
  keyset: Keyset<Row>,
  key: Key | undefined,
  limit: number,
  offset = 0,
): PageWindow {
  const own = keyset as unknown as Keyset<never>
  return {
    after: key ? afterOf(own, key[0], key[1]) : undefined,
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
 * The one pagination rule of the API: `page`/`page_size` offsets or a `cursor` keyset, the
 * `{items, pagination}` envelope, and a `Link: rel="next"` header. One extra row is fetched to
 * know whether a next page exists without a second count.
 */
export async function paginate<Row, Out>(c: Context, options: PaginateOptions<Row, Out>) {
  const { query, keyset } = options
  const size = query.page_size
  const cursor = query.cursor
    ? decodeCursor(query.cursor, keyset as unknown as Keyset<never>)
    : undefined
  const page = cursor ? cursor.page : query.page
  const [fetched, total] = await Promise.all([
    options.rows(keysetWindow(keyset, cursor?.key, size + 1, cursor ? 0 : (page - 1) * size)),
    options.total(),
  ])
  const hasNext = fetched.length > size
  const rows = hasNext ? fetched.slice(0, size) : fetched
  const last = rows.at(-1)
  const nextCursor =
    hasNext && last ? encodeCursor({ page: page + 1, key: keyset.key(last) }) : null
  if (nextCursor) {
    const url = new URL(c.req.url)
    url.searchParams.delete('page')
    url.searchParams.set('cursor', nextCursor)
    url.searchParams.set('page_size', String(size))
    c.header('Link', `<${url.pathname}${url.search}>; rel="next"`)
  }
  return {
    items: rows.map(options.map),
    pagination: {
      page,
      page_size: size,
      total,
      total_pages: Math.ceil(total / size),
      has_next: hasNext,
      has_prev: page > 1,
      next_cursor: nextCursor,
    },
  }
}
