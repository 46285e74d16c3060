import { and, eq, getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm'
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types'
import type { PgColumn, PgSelect, PgTable, SelectedFieldsFlat } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client'
import { countUpToQuery, inWindow, type PageWindow } from '../../db/keyset'
import { preparedCount, preparedOnce, preparedPage, unmapped } from '../../db/prepared'
import { wireFields, type WireRow } from '../../db/wire-fields'
import { notFound } from '../errors'

/** A back-office table, with a bigint `id`. */
type CrudTable = PgTable & { id: PgColumn }

/**
 * A list's order: one sort column then the id, ascending; the same object pages by offset and by
 * cursor, and scopes the list's prepared statements.
 */
export interface ListOrder<Row> {
  sort: PgColumn
  id: PgColumn
  direction: 'asc'
  sortType?: 'int' | 'bigint'
  key: (row: Row) => [number, number]
}

/** The rows a list or read sees: public ones only, or all (the admin's); narrowed by filters. */
export interface ListScope<Filter> {
  visibleOnly: boolean
  filter?: Partial<Filter>
}

export interface CrudOptions<
  Table extends CrudTable,
  Fields extends SelectedFieldsFlat,
  Filters extends Record<string, PgColumn>,
> {
  /** What a 404 names: `venue` gives "venue not found". */
  name: string
  table: Table
  /** Every read selects these, by name: the table's columns, maybe a joined or computed one. */
  fields: Fields
  /** Joins the reads need for `fields` (an inner join on a required foreign key). */
  join?: (query: PgSelect) => PgSelect
  /** A row the public may read has this boolean column true. */
  shownWhen: PgColumn
  /**
   * DELETE: `hide` turns `shownWhen` false and keeps the row, for rows other tables point at
   * (bookings keep their venue); `delete` removes it.
   */
  remove: 'hide' | 'delete'
  /** Equality filters a list accepts, by query parameter. */
  filters?: Filters
  /** The public list's order when it is not by id; a field of `fields` holding an integer. */
  visibleOrder?: { field: keyof Fields & string; sortType: 'int' }
  /**
   * Reads run as prepared statements: the public lists and by-id reads every page view makes.
   * A statement is kept per pooled connection, so only the hot resources use them.
   */
  prepared?: boolean
  /**
   * `wire`: the public list and read select the table's JSON itself (`wireFields`: every column
   * under its SQL name, instants as RFC 3339 text) and answer with the driver's rows as they
   * come (`unmapped`), with no Date and no second object per row. For tables whose public JSON
   * is every column (`jsonView` of the table with nothing computed or left out) and that need no
   * `join`. Implies `prepared` for those reads.
   */
  publicRows?: 'wire'
}

type FilterOf<Filters extends Record<string, PgColumn>> = {
  [K in keyof Filters]?: Filters[K]['_']['data']
}

/** The public reads of a service whose rows come from SQL as their JSON (`publicRows: 'wire'`). */
export interface WireReads<Json, Filter> {
  order: ListOrder<Json>
  list(db: Db, filter: Partial<Filter> | undefined, window: PageWindow): Promise<Json[]>
  /** One visible row by id, or a `not_found` failure. */
  get(db: Db, id: number): Promise<Json>
}

export interface CrudService<Row, Create, Update = Partial<Create>, Filter = {}, Json = never> {
  readonly name: string
  /** Present when the public reads select their JSON in SQL (`CrudOptions.publicRows`). */
  readonly wire?: WireReads<Json, Filter>
  /** The names of the filters a list accepts. */
  readonly filterNames: readonly (keyof Filter & string)[]
  order(visibleOnly: boolean): ListOrder<Row>
  list(db: Db, scope: ListScope<Filter>, window: PageWindow): Promise<Row[]>
  /** Rows counted up to `upTo` + 1: exact up to the bound (see `countUpToQuery`). */
  count(db: Db, scope: ListScope<Filter>, upTo: number): Promise<number>
  /** One row by id, or a `not_found` failure. */
  get(db: Db, id: number, visibleOnly: boolean): Promise<Row>
  create(db: Db, values: Create): Promise<Row>
  /** Changes the given fields and the row's `updatedAt`; `not_found` when there is no such row. */
  update(db: Db, id: number, values: Update): Promise<Row>
  /** Hides or deletes the row (see `CrudOptions.remove`); `not_found` when there is none. */
  remove(db: Db, id: number): Promise<void>
}

/**
 * List, read, create, change and remove for one back-office table: explicit columns, the
 * public/admin split, filters, keyset-ready order and 404s written once. Drizzle's builders are
 * typed per table, so inside they are driven through its general types and the result is typed
 * from `fields` again at the edge.
 *
 * @example
 * const venueService = crudService({
 *   name: 'venue', table: venues, fields: getTableColumns(venues),
 *   shownWhen: venues.isActive, remove: 'hide', prepared: true,
 * })
 * await venueService.get(db, 7, true) // an active venue, or ServiceError not_found
 */
export function crudService<
  Table extends CrudTable,
  Fields extends SelectedFieldsFlat,
  Filters extends Record<string, PgColumn> = {},
>(
  options: CrudOptions<Table, Fields, Filters>,
): CrudService<
  SelectResultFields<Fields>,
  Table['$inferInsert'],
  Partial<Table['$inferInsert']>,
  FilterOf<Filters>,
  WireRow<Table>
> {
  type Row = SelectResultFields<Fields>
  type Filter = FilterOf<Filters>
  const { name, table, fields, shownWhen } = options
  const tableName = getTableName(table)
  const filterColumns: Record<string, PgColumn> = options.filters ?? {}
  const filterNames = Object.keys(filterColumns) as (keyof Filter & string)[]
  const columns = getTableColumns(table)
  const touches = 'updatedAt' in columns
  const shownKey = Object.keys(columns).find((key) => columns[key] === shownWhen)
  if (!shownKey) throw new Error(`${tableName}: shownWhen is not one of its columns`)
  const hidden = { [shownKey]: false }
  if (options.publicRows === 'wire' && options.join) {
    throw new Error(`${tableName}: publicRows 'wire' selects the table alone, without its join`)
  }
  // Drizzle's builders, typed per table, are driven here through their general types.
  const anyTable = table as PgTable
  const anyFields = fields as SelectedFieldsFlat
  const rowFields: SelectedFieldsFlat = options.join ? { id: table.id } : anyFields

  const byId: ListOrder<Row> = {
    sort: table.id,
    id: table.id,
    direction: 'asc',
    key: (row) => [idOf(row), idOf(row)],
  }
  const sortField = options.visibleOrder?.field
  const visibleOrder: ListOrder<Row> = sortField
    ? {
        sort: fields[sortField] as PgColumn,
        id: table.id,
        direction: 'asc',
        sortType: options.visibleOrder?.sortType,
        key: (row) => [(row as Record<string, number>)[sortField] ?? 0, idOf(row)],
      }
    : byId

  const reads = (db: Db): PgSelect => {
    const query: PgSelect = db.select(anyFields).from(anyTable).$dynamic()
    return options.join ? options.join(query) : query
  }

  /**
   * The scope's conditions, filter values as placeholders so one statement serves each value.
   * `where` is built on call: a prepared statement needs it only the first time.
   */
  function scoped(scope: ListScope<Filter>) {
    const given = filterNames.filter((key) => scope.filter?.[key] !== undefined)
    const values: Record<string, unknown> = {}
    for (const key of given) values[key] = scope.filter?.[key]
    const where = () =>
      and(
        scope.visibleOnly ? eq(shownWhen, true) : undefined,
        ...given.map((key) => eq(filterColumns[key] as PgColumn, sql.placeholder(key))),
      )
    const statement = [tableName, scope.visibleOnly ? 'shown' : 'all', ...given].join('_')
    return { where, values, statement }
  }

  async function list(db: Db, scope: ListScope<Filter>, window: PageWindow): Promise<Row[]> {
    const { where, values, statement } = scoped(scope)
    const build = (w: PageWindow) => inWindow(reads(db), where(), w)
    const rows = options.prepared
      ? preparedPage(db, statement, window, build, values)
      : build(window).execute(values)
    return (await rows) as Row[]
  }

  /** The scope's rows counted up to `upTo` + 1 (see `countUpToQuery`). */
  async function countRows(db: Db, scope: ListScope<Filter>, upTo: number): Promise<number> {
    const { where, values, statement } = scoped(scope)
    if (options.prepared) return preparedCount(db, statement, anyTable, where, values, upTo)
    const [row] = await countUpToQuery(db, anyTable, where(), upTo).execute(values)
    return row?.n ?? 0
  }

  const byIdWhere = (visibleOnly: boolean) =>
    and(eq(table.id, sql.placeholder('id')), visibleOnly ? eq(shownWhen, true) : undefined)

  async function get(db: Db, id: number, visibleOnly: boolean): Promise<Row> {
    const query = () => reads(db).where(byIdWhere(visibleOnly))
    const statement = `${tableName}_by_id_${visibleOnly ? 'shown' : 'all'}`
    const [row] = options.prepared
      ? await preparedOnce(db, statement, (unique) => query().prepare(unique)).execute({ id })
      : await query().execute({ id })
    if (!row) throw notFound(name)
    return row as Row
  }

  /** The written row as a read returns it: straight from RETURNING, or read again for a join. */
  async function written(db: Db, rows: Record<string, unknown>[]): Promise<Row> {
    const [row] = rows
    if (!row) throw notFound(name)
    return options.join ? get(db, idOf(row), false) : (row as Row)
  }

  async function create(db: Db, values: Table['$inferInsert']): Promise<Row> {
    return written(db, await db.insert(anyTable).values(values).returning(rowFields))
  }

  async function update(db: Db, id: number, values: Partial<Table['$inferInsert']>) {
    const change = touches ? { ...values, updatedAt: new Date() } : values
    const rows = await db.update(anyTable).set(change).where(eq(table.id, id)).returning(rowFields)
    return written(db, rows)
  }

  async function remove(db: Db, id: number): Promise<void> {
    const rows =
      options.remove === 'delete'
        ? await db.delete(anyTable).where(eq(table.id, id)).returning({ id: table.id })
        : await db
            .update(anyTable)
            .set(touches ? { ...hidden, updatedAt: new Date() } : hidden)
            .where(eq(table.id, id))
            .returning({ id: table.id })
    if (rows.length === 0) throw notFound(name)
  }

  return {
    name,
    wire:
      options.publicRows === 'wire'
        ? wireReads<Table, Filter>({ name, table, visibleOrder, scoped, byIdWhere })
        : undefined,
    filterNames,
    order: (visibleOnly) => (visibleOnly ? visibleOrder : byId),
    list,
    count: countRows,
    get,
    create,
    update,
    remove,
  }
}

const idOf = (row: object): number => (row as { id: number }).id

/**
 * The public reads of `publicRows: 'wire'`: the same statements as the service's own, selecting
 * `wireFields` and prepared as `unmapped`, so that the rows are the answer as the driver read
 * them. The order reads a row's sort value by its column's SQL name, the row's key in this form.
 */
function wireReads<Table extends CrudTable, Filter>(parts: {
  name: string
  table: Table
  /** The public list's order; its key is read again here from the row's SQL names. */
  visibleOrder: Pick<ListOrder<never>, 'sort' | 'sortType'>
  scoped: (scope: ListScope<Filter>) => {
    where: () => SQL | undefined
    values: Record<string, unknown>
    statement: string
  }
  byIdWhere: (visibleOnly: boolean) => SQL | undefined
}): WireReads<WireRow<Table>, Filter> {
  type Json = WireRow<Table>
  const { name, table, visibleOrder, scoped, byIdWhere } = parts
  const fields = wireFields(table) as SelectedFieldsFlat
  const sortName = visibleOrder.sort.name
  const order: ListOrder<Json> = {
    ...visibleOrder,
    id: table.id,
    direction: 'asc',
    key: (row) => [(row as Record<string, number>)[sortName] ?? 0, idOf(row)],
  }
  const reads = (db: Db) => db.select(fields).from(table as PgTable).$dynamic()
  return {
    order,
    list(db, filter, window) {
      const { where, values, statement } = scoped({ visibleOnly: true, filter })
      return preparedPage<Json>(
        db,
        `${statement}_wire`,
        window,
        (w) => inWindow(reads(db), where(), w) as never,
        values,
        'unmapped',
      )
    },
    async get(db, id) {
      const statement = preparedOnce(db, `${getTableName(table)}_by_id_shown_wire`, (unique) =>
        unmapped<Json>(db, unique, reads(db).where(byIdWhere(true))),
      )
      const [row] = await statement.execute({ id })
      if (!row) throw notFound(name)
      return row
    },
  }
}
