/**
 * The service with its rarely used route groups imported whole on their first request: the
 * "lazy route groups" side of bench/startup.ts, the most deferring them could save. The app as
 * shipped defers only those groups' handler modules (src/lib/lazy-handler.ts) and registers their
 * routes at start-up; here exports, uploads, the operators' status page and the OpenAPI document
 * with its docs page are mounted as placeholders that import the group's router (route
 * definitions, schemas and handlers) once, then hand it every request under its paths. The
 * document, which must describe every route, builds a full registry of its own on its first
 * request.
 *
 * A measuring device, not a shipped mode: it skips what shipping it would also need (405 answers
 * for a lazy path's wrong method, route labels in metrics, the routes in the app's route list and
 * type), none of which costs memory at idle. The admin back office is not deferred: its routes
 * sit in the same routers and handler modules as the public ones. Everything else (the database,
 * migrations, memory monitor, periodic GC, upload sweeps, Bun.serve) is src/app/server.ts.
 *
 * Run by bench/startup.ts with the app's own variables; SIGTERM stops it as it stops the app.
 */
import type { Context, Next } from 'hono'
import { parseEnv } from '../../src/env'
import type { AppEnv, Deps } from '../../src/app/context'
import { createApp, createRouter } from '../../src/app/create-app'
import { dropChangedCaches } from '../../src/http/middleware/response-cache'
import { authRouter } from '../../src/routes/auth/auth.index'
import { bookingsRouter } from '../../src/routes/bookings/bookings.index'
import { cacheChanges } from '../../src/routes/cache-changes'
import { galleryRouter } from '../../src/routes/gallery/gallery.index'
import { healthRouter } from '../../src/routes/health/health.index'
import { itemsRouter } from '../../src/routes/items/items.index'
import { programsRouter } from '../../src/routes/programs/programs.index'
import { rackOrdersRouter } from '../../src/routes/rack-orders/rack-orders.index'
import { venuesRoutes } from '../../src/routes/venues/venues.index'
import { startServer } from '../../src/app/server'

type Router = ReturnType<typeof createRouter>

/** What the placeholder hands the loaded router: its own context, and a way to say "not mine". */
interface Bindings {
  outer: Context<AppEnv>
  unmatched: boolean
}

/**
 * A router behind a wrapper that borrows the outer request's deps and request id, lets the outer
 * app render errors (as for its own routes), and reports paths it has no route for.
 */
function delegate(router: Router): Router {
  const wrapper = createRouter()
  wrapper.use(async (c, next) => {
    const { outer } = c.env as Bindings
    c.set('deps', outer.get('deps'))
    c.set('requestId', outer.get('requestId'))
    await next()
  })
  wrapper.notFound((c) => {
    ;(c.env as Bindings).unmatched = true
    return c.body(null, 404)
  })
  wrapper.onError((error) => {
    throw error
  })
  return wrapper.route('/', router)
}

/** A handler that imports its group on the first request and then delegates to it. */
function lazyGroup(load: () => Promise<Router>) {
  let loaded: Promise<Router> | undefined
  return async (c: Context<AppEnv>, next: Next) => {
    loaded ??= load().then(delegate)
    const bindings: Bindings = { outer: c, unmatched: false }
    const res = await (await loaded).fetch(c.req.raw, bindings)
    if (bindings.unmatched) return next()
    return res
  }
}

const exportsGroup = () =>
  import('../../src/routes/exports/exports.index').then((m) => m.exportsRouter as Router)
const uploadsGroup = () =>
  import('../../src/routes/uploads/uploads.index').then((m) => m.uploadsRouter as Router)
const statusGroup = () =>
  import('../../src/routes/status/status.index').then((m) => m.statusRouter as Router)

/** The document describes every route, so its group is all routers under one registry. */
async function docsGroup(): Promise<Router> {
  const [{ withDocs }, exports, uploads, status] = await Promise.all([
    import('../../src/routes/docs/docs.index'),
    exportsGroup(),
    uploadsGroup(),
    statusGroup(),
  ])
  const all = createRouter()
    .route('/', healthRouter)
    .route('/', authRouter)
    .route('/', venuesRoutes)
    .route('/', itemsRouter)
    .route('/', programsRouter)
    .route('/', exports)
    .route('/', bookingsRouter)
    .route('/', rackOrdersRouter)
    .route('/', uploads)
    .route('/', galleryRouter)
    .route('/', status)
  return withDocs(all) as unknown as Router
}

/** src/app/build-app.ts buildApp, in the same order, with four groups deferred whole. */
export function buildLazyGroupsApp(deps: Deps) {
  const exports = lazyGroup(exportsGroup)
  const uploads = lazyGroup(uploadsGroup)
  const status = lazyGroup(statusGroup)
  const docs = lazyGroup(docsGroup)
  const app = createApp(deps)
  app.use(dropChangedCaches(cacheChanges))
  app
    .route('/', healthRouter)
    .route('/', authRouter)
    .route('/', venuesRoutes)
    .route('/', itemsRouter)
    .route('/', programsRouter)
  // Before the bookings router, whose /api/admin/bookings/{id} would otherwise take "export".
  app.all('/api/admin/bookings/export', exports)
  app.route('/', bookingsRouter).route('/', rackOrdersRouter)
  app.all('/api/uploads', uploads)
  app.all('/api/uploads/*', uploads)
  app.route('/', galleryRouter)
  app.all('/status', status)
  app.all('/status/*', status)
  app.all('/api/openapi.json', docs)
  app.all('/api/docs', docs)
  return app
}

if (import.meta.main) {
  const running = await startServer(parseEnv(), buildLazyGroupsApp)
  process.once('SIGTERM', () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
