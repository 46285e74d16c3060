import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../app/context'
import {
  readPage,
  type Key,
  type Keyset,
  type Page,
  type PageSpec,
  type PageWindow,
  type SortValue,
} from '../db/keyset'
import { wholeNumber } from './params'
import { badRequest } from './problem'

// The keyset SQL lives in src/db/keyset.ts; these names stay importable from here for the lists
// that still take them from this file.
export { keysetWindow, type Key, type Keyset, type PageWindow, type SortValue } from '../db/keyset'

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100

/** The query parameters every list accepts; route query schemas extend it with their filters. */
export const PageQuery = z.object({
  page: wholeNumber(1, 1_000_000)
    .default(1)
    .openapi({
      description: 'Page number, from 1',
      type: 'string',
      pattern: '^[0-9]+$',
      example: '1',
    }),
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

const TotalRelation = z.enum(['eq', 'gte'])
type TotalRelation = z.infer<typeof TotalRelation>

export const PaginationSchema = z
  .object({
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int().openapi({
      description:
        'Matching items. Exact when `total_relation` is `eq`; when it is `gte`, a lower bound: ' +
        'counting stops past PAGINATION_EXACT_TOTAL_MAX (10,000 by default), so a total costs ' +
        'the same however many rows match. A page reached by `cursor` is not counted again: it ' +
        'carries the `total`, `total_relation` and `total_pages` of the page the walk started ' +
        'from (the request without a cursor), as they were then.',
    }),
    total_relation: TotalRelation.openapi({
      description: '`eq`: `total` and `total_pages` are exact; `gte`: both are lower bounds',
    }),
    total_pages: z.number().int().openapi({
      description: 'ceil(total / page_size): a lower bound when `total_relation` is `gte`',
    }),
    has_next: z.boolean(),
    has_prev: z.boolean(),
    next_cursor: z.string().nullable(),
  })
  .openapi('Pagination')

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), pagination: PaginationSchema })

interface Total {
  total: number
  relation: TotalRelation
}

/** What a cursor carries: the next page's number and key, and the walk's first total. */
interface Cursor {
  page: number
  key: Key
  total: Total
}

function encodeCursor({ page, key, total }: Cursor): string {
  const row = [page, ...key, total.total, total.relation === 'gte' ? 1 : 0]
  return Buffer.from(JSON.stringify(row)).toString('base64url')
}

const MAX_INT = 2 ** 31 - 1
type SortType = NonNullable<Keyset<never>['sortType']>

/**
 * What a cursor's sort value may be, per SQL type of the sort: exactly what `Keyset.key` writes
 * (ISO text for instants), within the column's range, so a forged cursor is a 400 and never
 * reaches the driver or the database as a value they refuse.
 */
const sortValues = {
  // PostgreSQL has no year 0.
  timestamptz: z.iso.datetime({ precision: 3 }).refine((v) => !v.startsWith('0000-')),
  bigint: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  int: z.number().int().min(-MAX_INT - 1).max(MAX_INT),
  text: z.string().max(400).regex(/^[^\u0000]*$/),
} satisfies Record<SortType, z.ZodType<SortValue>>

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const cursorTuple = (sortValue: z.ZodType<SortValue>) =>
  z.tuple([
    z.number().int().min(1).max(Number.MAX_SAFE_INTEGER - 1),
    sortValue,
    count,
    count,
    z.union([z.literal(0), z.literal(1)]),
  ])

// Built once per sort type: every cursor page is checked against one of these.
const cursors = Object.fromEntries(
  Object.entries(sortValues).map(([type, value]) => [type, cursorTuple(value)]),
) as Record<SortType, ReturnType<typeof cursorTuple>>

function decodeCursor(raw: string, sortType: SortType): Cursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    // falls through to the 400 below
  }
  const checked = cursors[sortType].safeParse(parsed)
  if (checked.success) {
    const [page, sort, id, total, gte] = checked.data
    return { page, key: [sort, id], total: { total, relation: gte ? 'gte' : 'eq' } }
  }
  throw badRequest('The cursor is not one this API issued.', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ])
}

/** The page a request asked for (`pageRequest`), to hand to a list query and then `pageBody`. */
export interface PageRequest {
  spec: PageSpec
  page: number
  /** A cursor page's total, carried from the first page of the walk. */
  carried?: Total
}

/**
 * Reads `page`/`page_size` or `cursor`: an offset page is counted (exactly up to
 * PAGINATION_EXACT_TOTAL_MAX), a cursor page is not.
 */
export function pageRequest(
  c: Context<AppEnv>,
  query: PageQuery,
  sortType: SortType = 'bigint',
): PageRequest {
  const size = query.page_size
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, sortType)
    return { spec: { size, offset: 0, key: cursor.key }, page: cursor.page, carried: cursor.total }
  }
  const countUpTo = c.get('deps').env.PAGINATION_EXACT_TOTAL_MAX
  return { spec: { size, offset: (query.page - 1) * size, countUpTo }, page: query.page }
}

function totalOf(request: PageRequest, counted: number | undefined): Total {
  if (request.carried) return request.carried
  const bound = request.spec.countUpTo ?? 0
  return counted !== undefined && counted <= bound
    ? { total: counted, relation: 'eq' }
    : { total: bound, relation: 'gte' }
}

/**
 * The `{items, pagination}` envelope of a page, and a `Link: rel="next"` header when another page
 * follows. `map` turns a row into its JSON; rows already in their wire form go as they are.
 */
export function pageBody<Row, Out = Row>(
  c: Context,
  request: PageRequest,
  page: Page<Row>,
  map?: (row: Row) => Out,
) {
  const { size } = request.spec
  const { total, relation } = totalOf(request, page.counted)
  const number = request.page
  const nextCursor = page.nextKey
    ? encodeCursor({ page: number + 1, key: page.nextKey, total: { total, relation } })
    : null
  if (nextCursor) {
    const url = new URL(c.req.url)
    url.searchParams.delete('page')
    url.searchParams.set('cursor', nextCursor)
    url.searchParams.set('page_size', String(size))
    c.header('Link', `<${url.pathname}${url.search}>; rel="next"`)
  }
  return {
    items: (map ? page.rows.map(map) : page.rows) as Out[],
    pagination: {
      page: number,
      page_size: size,
      total,
      total_relation: relation,
      total_pages: Math.ceil(total / size),
      has_next: nextCursor !== null,
      has_prev: number > 1,
      next_cursor: nextCursor,
    },
  }
}

interface PaginateOptions<Row, Out> {
  query: PageQuery
  keyset: Keyset<Row>
  /** Runs the list query with the window's condition, order, limit and offset. */
  rows: (window: PageWindow) => Promise<Row[]>
  /** The number of matching rows; one that stops past `upTo` (`countUpToQuery`) is enough. */
  total: (upTo: number) => Promise<number>
  /** Turns a row into its JSON; rows selected in their wire form go as they are. */
  map?: (row: Row) => Out
}

/**
 * The one pagination rule of the API in one call, for lists whose service takes a window:
 * `pageRequest`, the page read with its total (`readPage`), then `pageBody`.
 */
export async function paginate<Row, Out>(c: Context<AppEnv>, options: PaginateOptions<Row, Out>) {
  const request = pageRequest(c, options.query, options.keyset.sortType)
  const page = await readPage(request.spec, options.keyset, options.rows, options.total)
  return pageBody(c, request, page, options.map)
}
