import type { Context, Next } from 'hono'

type Handler = (c: Context<any, any, any>, next: Next) => unknown

/**
 * A route handler whose module is imported on the first request it serves. For routes a fresh
 * process rarely answers (exports, uploads, the status page, the docs): their handlers' code, and
 * what only it imports, stays out of memory until needed. The route itself (path, schemas,
 * middleware) is registered as usual, so the OpenAPI document, 405 answers, metrics labels and
 * the typed client see no difference. A failed import fails that request (500) and is retried by
 * the next.
 *
 * @example
 * const handlers = () => import('./uploads.handlers')
 * router.openapi(routes.create, lazyHandler(() => handlers().then((m) => m.create)))
 */
export function lazyHandler<H extends Handler>(load: () => Promise<H>): H {
  let loaded: H | undefined
  let loading: Promise<H> | undefined
  const handler: Handler = (c, next) => {
    if (loaded) return loaded(c, next)
    loading ??= load().then(
      (h) => (loaded = h),
      (error) => {
        loading = undefined
        throw error
      },
    )
    return loading.then((h) => h(c, next))
  }
  return handler as H
}
