import type { Deps } from './context'
import { admission, createApp } from './create-app'
import { dropChangedCaches } from '../http/middleware/response-cache'
import { authRouter } from '../routes/auth/auth.index'
import { bookingsRouter } from '../routes/bookings/bookings.index'
import { cacheChanges } from '../routes/cache-changes'
import { withDocs } from '../routes/docs/docs.index'
import { exportsRouter } from '../routes/exports/exports.index'
import { galleryRouter } from '../routes/gallery/gallery.index'
import { healthRouter } from '../routes/health/health.index'
import { itemsRouter } from '../routes/items/items.index'
import { programsRouter } from '../routes/programs/programs.index'
import { rackOrdersRouter } from '../routes/rack-orders/rack-orders.index'
import { statusRouter } from '../routes/status/status.index'
import { uploadsRouter } from '../routes/uploads/uploads.index'
import { venueRulesRouter } from '../routes/venue-rules/venue-rules.index'
import { venuesRoutes } from '../routes/venues/venues.index'

/**
 * The whole HTTP surface: every router mounted on the shared base. The operators' routes (health,
 * metrics, the status page) come first: they answer before the memory guard and the body limit
 * run, so they are never shed. Each router after them declares its own guard class and body limit
 * where it differs from the default (http/middleware/route-policy.ts).
 */
export function buildApp(deps: Deps) {
  const operators = createApp(deps).route('/', healthRouter)
  const base = operators.route('/', statusRouter)
  for (const middleware of admission(deps)) base.use(middleware)
  base.use(dropChangedCaches(cacheChanges))
  const app = base
    .route('/', authRouter)
    .route('/', venuesRoutes)
    .route('/', venueRulesRouter)
    .route('/', itemsRouter)
    .route('/', programsRouter)
    .route('/', exportsRouter)
    .route('/', bookingsRouter)
    .route('/', rackOrdersRouter)
    .route('/', uploadsRouter)
    .route('/', galleryRouter)

  // Last, so the document it serves covers every router mounted above.
  return withDocs(app)
}

export type App = ReturnType<typeof buildApp>
export type AppType = App
