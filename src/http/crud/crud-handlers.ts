import type { Context } from 'hono'
import type { AppEnv } from '../../app/context'
import type { Db } from '../../db/client'
import type { PageWindow } from '../../db/keyset'
import type { CrudService, ListOrder } from '../../services/crud/crud-service'
import { paginate, type PageQuery } from '../pagination'

/**
 * A handler's context once its route validated `Out` (query, param, json). Generic in the path
 * and input, so `.openapi(route, handler)` takes both from the route and checks them against
 * `Out`, and the app's client type keeps each route's own path.
 */
type Ctx<P extends string, I extends { out: object }> = Context<AppEnv, P, I>

export interface CrudResource<
  Row,
  Create,
  Update,
  Filter,
  Json,
  PublicJson,
  CreateBody,
  UpdateBody,
> {
  /**
   * A service with `wire` reads (`publicRows: 'wire'`) answers the public list and read with its
   * rows as they are: its table's JSON, which `toJson` writes for the admin (a test holds the two
   * alike), so `toPublicJson` does not apply to it.
   */
  service: CrudService<Row, Create, Update, Filter, any>
  /** The row as the admin sees it, and as a write answers. */
  toJson: (row: Row) => Json
  /** The row as the public reads show it; the admin's view when absent. */
  toPublicJson?: (row: Row) => PublicJson
  /** A validated create body as the table's fields. */
  fromCreate: (body: CreateBody) => Create
  /** A validated change as the table's fields. */
  fromUpdate: (body: UpdateBody) => Update
}

/**
 * The names of those handlers, and of their routes, in the order a resource's router adds them
 * (http/mount-routes.ts) and the document lists them.
 */
export const crudRouteNames = ['list', 'get', 'adminList', 'create', 'update', 'remove'] as const

/**
 * The handlers of a back-office resource, one per route: the public list and read (visible rows
 * only), the admin list, create, change and remove. Failures come from the service (404 for a
 * missing or hidden row); the app's cache rules (routes/cache-changes.ts) drop the public reads
 * after every write that answered.
 *
 * @example
 * export const { list, get, adminList, create, update, remove } = crudHandlers({
 *   service: venueService, toJson: Venue.toJson,
 *   fromCreate: VenueInput.fromCreate, fromUpdate: VenueInput.fromUpdate,
 * })
 */
export function crudHandlers<
  Row,
  Create,
  Update,
  Filter,
  Json,
  CreateBody,
  UpdateBody,
  PublicJson = Json,
>(resource: CrudResource<Row, Create, Update, Filter, Json, PublicJson, CreateBody, UpdateBody>) {
  const { service, toJson, fromCreate, fromUpdate } = resource
  const toPublicJson = resource.toPublicJson ?? (toJson as unknown as (row: Row) => PublicJson)
  const db = (c: Context<AppEnv>) => c.var.deps.database.db

  /**
   * A list handler: the query's filters, then the page of `source` with its total, each row
   * mapped to its JSON by `map` (or, without one, already in that form).
   */
  function listOf<R, J>(
    visibleOnly: boolean,
    source: {
      keyset: ListOrder<R>
      rows: (db: Db, filter: Partial<Filter>, window: PageWindow) => Promise<R[]>
      map?: (row: R) => J
    },
  ) {
    type Query = PageQuery & Partial<Filter>
    return async function list<P extends string, I extends { out: { query: Query } }>(
      c: Ctx<P, I>,
    ) {
      const query: Query = c.req.valid('query')
      const filter: Partial<Filter> = {}
      for (const key of service.filterNames) filter[key] = query[key]
      const page = await paginate(c, {
        query,
        keyset: source.keyset,
        rows: (window) => source.rows(db(c), filter, window),
        total: (upTo) => service.count(db(c), { visibleOnly, filter }, upTo),
        map: source.map,
      })
      return c.json(page as typeof page & { items: J[] }, 200)
    }
  }

  const pageOf = <J>(visibleOnly: boolean, map: (row: Row) => J) =>
    listOf(visibleOnly, {
      keyset: service.order(visibleOnly),
      rows: (db, filter, window) => service.list(db, { visibleOnly, filter }, window),
      map,
    })

  const { wire } = service
  return {
    list: wire
      ? listOf<unknown, PublicJson>(true, { keyset: wire.order, rows: wire.list })
      : pageOf(true, toPublicJson),
    adminList: pageOf(false, toJson),
    async get<P extends string, I extends { out: { param: { id: number } } }>(c: Ctx<P, I>) {
      const { id } = c.req.valid('param')
      if (wire) return c.json((await wire.get(db(c), id)) as PublicJson, 200)
      return c.json(toPublicJson(await service.get(db(c), id, true)), 200)
    },
    async create<P extends string, I extends { out: { json: CreateBody } }>(c: Ctx<P, I>) {
      const row = await service.create(db(c), fromCreate(c.req.valid('json')))
      return c.json(toJson(row), 201)
    },
    async update<P extends string, I extends { out: { param: { id: number }; json: UpdateBody } }>(
      c: Ctx<P, I>,
    ) {
      const { id } = c.req.valid('param')
      const row = await service.update(db(c), id, fromUpdate(c.req.valid('json')))
      return c.json(toJson(row), 200)
    },
    async remove<P extends string, I extends { out: { param: { id: number } } }>(c: Ctx<P, I>) {
      await service.remove(db(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  }
}
