/**
 * The typed client a frontend calls the API with: `hono/client`'s `hc`, typed by the routes'
 * schema (`./api-schema`), plus an error that keeps the whole answer, a retry for 503/429 and
 * paging helpers. Nothing of the server reaches a bundle: the schema is a type only.
 *
 * @example
 * const api = createClient('https://api.example.com', { token: () => localStorage.token })
 * const me = await unwrap(api.api.auth.me.$get())
 * for await (const booking of paginate(api.api.bookings, { status: 'confirmed' })) show(booking)
 */
import type { Hono } from 'hono'
import {
  hc,
  parseResponse,
  type ClientRequestOptions,
  type ClientResponse,
  type InferRequestType,
  type InferResponseType,
} from 'hono/client'
import type { ApiSchema } from './api-schema'

export type { ApiSchema }
export type { ClientResponse, InferRequestType, InferResponseType } from 'hono/client'

type ApiApp = Hono<{}, ApiSchema, '/'>
/** Every route as `client.api.<path>.$<method>(...)`, typed from the server's routes. */
export type ApiClient = ReturnType<typeof hc<ApiApp>>

export interface ClientOptions {
  /** A JWT, or a function answering the current one; read before every request. */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>)
  /** Headers sent with every request, e.g. `Accept-Language`. */
  headers?: Record<string, string>
  fetch?: typeof fetch
}

/** A client whose paths, query parameters, bodies and answers are typed from the app's routes. */
export function createClient(baseUrl: string, options: ClientOptions = {}): ApiClient {
  const { token, headers = {} } = options
  return hc<ApiApp>(baseUrl, {
    fetch: options.fetch,
    headers: async (): Promise<Record<string, string>> => {
      const current = typeof token === 'function' ? await token() : token
      return current ? { ...headers, Authorization: `Bearer ${current}` } : headers
    },
  })
}

/** One invalid field of a 400 or 422. */
export interface FieldError {
  path: string
  message: string
}

/** An RFC 9457 problem, as every refusal of the API is answered. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors?: FieldError[]
  [extension: string]: unknown
}

/**
 * A refused request: its status, its problem+json body and its headers (`Retry-After`,
 * `X-Request-Id`). The route's typed answer for a status is also `await res.json()` after
 * checking `res.status`, without throwing.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly headers: Headers,
  ) {
    super(problem.detail)
  }

  /** Seconds to wait before trying again, from `Retry-After`; `undefined` without one. */
  get retryAfter(): number | undefined {
    return retryAfterSeconds(this.headers)
  }

  /** Reads a refused response; a body that is not a problem becomes one with its text. */
  static async from(res: Response | ClientResponse<unknown, number, string>): Promise<ApiError> {
    const text = await res.text()
    let problem: Problem | undefined
    try {
      const body: unknown = JSON.parse(text)
      if (body && typeof body === 'object' && 'status' in body) problem = body as Problem
    } catch {
      // a proxy's HTML page or an empty body: described below
    }
    problem ??= { type: 'about:blank', title: res.statusText, status: res.status, detail: text }
    return new ApiError(res.status, problem, res.headers)
  }
}

/** The body of a successful answer, as `hono/client`'s `parseResponse` types it. */
export type Success<R extends ClientResponse<any, any, any>> = Awaited<
  ReturnType<typeof parseResponse<R>>
>

/**
 * The parsed body of a successful answer, or an `ApiError` thrown for any other.
 *
 * @example
 * try {
 *   const booking = await unwrap(api.api.bookings[':id'].$get({ param: { id: '42' } }))
 * } catch (error) {
 *   if (error instanceof ApiError && error.status === 404) showGone()
 * }
 */
export async function unwrap<R extends ClientResponse<any, any, any>>(
  response: R | Promise<R>,
): Promise<Success<R>> {
  const res = await response
  if (!res.ok) throw await ApiError.from(res)
  return (await parseResponse(res)) as Success<R>
}

/** `Retry-After` in seconds (delta or HTTP date), `undefined` when absent or unreadable. */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** What each try of `withRetry` is given. */
export interface Attempt {
  /** 1 for the first try. */
  number: number
  /** The same on every try of one call: send it as `Idempotency-Key` so a write runs once. */
  idempotencyKey: string
}

export interface RetryOptions {
  /** Tries in all, the first included (default 3). */
  attempts?: number
  /**
   * The longest wait before one retry, in ms (default 30 s). A `Retry-After` asking for longer
   * ends the retries at once: the caller gets that answer and can tell the user when to come back.
   */
  maxDelayMs?: number
  /** The key sent on every try (default a random UUID). */
  idempotencyKey?: string
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal
}

/** The answers the server asks to be repeated later: shed (503) and throttled (429). */
const RETRIED = new Set([429, 503])

/**
 * Sends a request again while it is answered 503 or 429, after the `Retry-After` the server gives
 * (1 s, then 2 s, ... without one), at most `attempts` tries. Every try gets the same
 * `idempotencyKey`: pass it as the `Idempotency-Key` header of a write, and a retry of a write
 * that did get through replays its answer instead of writing twice. Answers the last response;
 * pair it with `unwrap` to throw on a refusal.
 *
 * @example
 * const booking = await unwrap(
 *   withRetry(({ idempotencyKey }) =>
 *     api.api.bookings.$post({ json: slot, header: { 'idempotency-key': idempotencyKey } }),
 *   ),
 * )
 */
export async function withRetry<R extends ClientResponse<any, any, any>>(
  send: (attempt: Attempt) => Promise<R>,
  options: RetryOptions = {},
): Promise<R> {
  const { attempts = 3, maxDelayMs = 30_000, signal } = options
  const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID()
  for (let number = 1; ; number++) {
    const res = await send({ number, idempotencyKey })
    if (!RETRIED.has(res.status) || number >= attempts) return res
    const seconds = retryAfterSeconds(res.headers)
    const delayMs = seconds === undefined ? 1000 * 2 ** (number - 1) : seconds * 1000
    if (delayMs > maxDelayMs) return res
    // The refused answer is not read: free its body before waiting.
    await res.body?.cancel()
    await sleep(delayMs, signal)
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer: ReturnType<typeof setTimeout> = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', abort)
      resolve()
    }
    function abort() {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}

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

/** Any GET endpoint of the client; `ListOnly` narrows it to those answering a page. */
export interface Endpoint {
  $get: (args?: any, options?: ClientRequestOptions) => Promise<ClientResponse<any, any, any>>
}

/**
 * `unknown` for a list endpoint (its 200 answer is `{items, pagination}`), else a type no
 * endpoint has, so `paginate(api.api.auth.me)` does not compile.
 */
export type ListOnly<E extends Endpoint> =
  InferResponseType<E['$get'], 200> extends Page<unknown>
    ? unknown
    : { 'paginate() and pages() take a list endpoint (its 200 answer is a page)': never }

/** The type of one item of the endpoint's 200 answer. */
export type ItemOf<E extends Endpoint> =
  InferResponseType<E['$get'], 200> extends { items: (infer Item)[] } ? Item : never
/** The endpoint's filters and `page_size`; where to start is the helpers' business. */
export type ListQuery<E extends Endpoint> =
  InferRequestType<E['$get']> extends { query?: infer Q } ? Omit<NonNullable<Q>, 'cursor'> : never

/**
 * Every page of a list, first to last: by `next_cursor` when the server gives one (keyset, cheap at
 * any depth), else by `has_next` and the page number. A refused request throws an `ApiError`.
 */
export async function* pages<E extends Endpoint>(
  endpoint: E & ListOnly<E>,
  query?: ListQuery<E>,
  options?: ClientRequestOptions,
): AsyncGenerator<Page<ItemOf<E>>, void, undefined> {
  const first: Record<string, unknown> = { ...query }
  let next: Record<string, unknown> | undefined = first
  while (next) {
    const page = (await unwrap(endpoint.$get({ query: next }, options))) as Page<ItemOf<E>>
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
export async function* paginate<E extends Endpoint>(
  endpoint: E & ListOnly<E>,
  query?: ListQuery<E>,
  options?: ClientRequestOptions,
): AsyncGenerator<ItemOf<E>, void, undefined> {
  for await (const page of pages<E>(endpoint, query, options)) yield* page.items
}
