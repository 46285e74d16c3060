/**
 * The typed client a frontend calls the API with. It imports nothing from the server at run time
 * (`AppType` is a type), so a bundler ships only `hono/client` and this file.
 *
 * @example
 * const api = createClient('https://api.example.com', { token: () => localStorage.token })
 * const me = await parseResponse(api.api.auth.me.$get())
 * for await (const booking of paginate(api.api.bookings, { status: 'confirmed' })) show(booking)
 */
import {
  hc,
  parseResponse,
  type ClientRequestOptions,
  type ClientResponse,
  type InferRequestType,
  type InferResponseType,
} from 'hono/client'
import type { StatusCode } from 'hono/utils/http-status'
import type { AppType } from './app/build-app'

export type { AppType }
export { DetailedError, parseResponse } from 'hono/client'

export interface ClientOptions {
  /** A JWT, or a function answering the current one; read before every request. */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>)
  /** Headers sent with every request, e.g. `Accept-Language`. */
  headers?: Record<string, string>
  fetch?: typeof fetch
}

/** A client whose paths, query parameters and JSON answers are typed from the app's routes. */
export function createClient(baseUrl: string, options: ClientOptions = {}) {
  const { token, headers = {} } = options
  return hc<AppType>(baseUrl, {
    fetch: options.fetch,
    headers: async (): Promise<Record<string, string>> => {
      const current = typeof token === 'function' ? await token() : token
      return current ? { ...headers, Authorization: `Bearer ${current}` } : headers
    },
  })
}

export type ApiClient = ReturnType<typeof createClient>

/** The `pagination` object of every list answer. */
export interface Pagination {
  page: number
  page_size: number
  total: number
  total_pages: number
  has_next: boolean
  has_prev: boolean
  /** Absent from servers older than keyset paging; `null` on the last page. */
  next_cursor?: string | null
}

export interface Page<Item> {
  items: Item[]
  pagination: Pagination
}

/** Any list endpoint of the client, e.g. `api.api.bookings` or `api.api.admin.venues`. */
export interface ListEndpoint {
  $get: (
    args?: any,
    options?: ClientRequestOptions,
  ) => Promise<ClientResponse<unknown, StatusCode, any>>
}

/** The type of one item of the endpoint's 200 answer. */
export type ItemOf<E extends ListEndpoint> =
  InferResponseType<E['$get'], 200> extends { items: (infer Item)[] } ? Item : never
/** The endpoint's filters and `page_size`; where to start is the helpers' business. */
export type ListQuery<E extends ListEndpoint> =
  InferRequestType<E['$get']> extends { query?: infer Q } ? Omit<NonNullable<Q>, 'cursor'> : never

/**
 * Every page of a list, first to last: by `next_cursor` when the server gives one (keyset, cheap at
 * any depth), else by `has_next` and the page number. A failed request throws a `DetailedError`
 * whose `detail.data` is the problem+json body.
 */
export async function* pages<E extends ListEndpoint>(
  endpoint: E,
  query?: ListQuery<E>,
  options?: ClientRequestOptions,
): AsyncGenerator<Page<ItemOf<E>>, void, undefined> {
  const first: Record<string, unknown> = { ...query }
  let next: Record<string, unknown> | undefined = first
  while (next) {
    const page = (await parseResponse(endpoint.$get({ query: next }, options))) as Page<ItemOf<E>>
    yield page
    next = undefined
    const { pagination } = page
    // An empty page ends the walk whatever the flags say, so a miscounting server cannot loop us.
    if (page.items.length === 0) return
    if (pagination.next_cursor) {
      const { page: _page, ...filters } = first
      next = { ...filters, page_size: pagination.page_size, cursor: pagination.next_cursor }
    } else if (pagination.has_next) {
      next = { ...first, page_size: pagination.page_size, page: pagination.page + 1 }
    }
  }
}

/**
 * Every item of a list, fetching the next page only when the loop gets there.
 *
 * @example
 * let cents = 0
 * for await (const booking of paginate(api.api.bookings, { page_size: '100' })) {
 *   cents += booking.total_cents
 * }
 */
export async function* paginate<E extends ListEndpoint>(
  endpoint: E,
  query?: ListQuery<E>,
  options?: ClientRequestOptions,
): AsyncGenerator<ItemOf<E>, void, undefined> {
  for await (const page of pages(endpoint, query, options)) yield* page.items
}
