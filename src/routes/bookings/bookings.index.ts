import type { MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { AppEnv } from '../../app/context'
import { createRouter } from '../../app/create-app'
import * as admin from './admin-bookings.handlers'
import * as adminRoutes from './admin-bookings.routes'
import * as handlers from './bookings.handlers'
import * as routes from './bookings.routes'

/**
 * hono's RegExpRouter matches every route of the app with one regular expression, but it cannot
 * hold a literal segment beside a parameter in the same place: GET /api/bookings/regular-programs
 * beside GET /api/bookings/{id} made SmartRouter fall back to TrieRouter for all routes. So the
 * {id} route is the only GET route there, and hands the literal segment to the enrolments list,
 * which keeps its own OpenAPI entry, query validation and handler (run as one middleware).
 */
const { middleware: _, ...enrolmentsDoc } = routes.programs
const enrolments = every(
  ...createRouter()
    .openapi(enrolmentsDoc, handlers.programs)
    .routes.map((route) => route.handler),
)
const enrolmentsThroughId: MiddlewareHandler<AppEnv> = async function enrolmentsThroughId(
  c,
  next,
) {
  if (c.req.param('id') !== 'regular-programs') return next()
  await enrolments(c, next)
}

/** Endpoints answered through the {id} route rather than a route of their own in `app.routes`. */
export const answeredThroughId = [{ method: 'GET', path: '/api/bookings/regular-programs' }]

const router = createRouter().openapi(routes.list, handlers.list)
router.openAPIRegistry.registerPath(enrolmentsDoc)

const bookingsRoutes = router
  .openapi(routes.create, handlers.create)
  .openapi({ ...routes.get, middleware: [routes.get.middleware, enrolmentsThroughId] }, handlers.get)
  .openapi(routes.change, handlers.change)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(adminRoutes.list, admin.list)
  .openapi(adminRoutes.today, admin.today)
  .openapi(adminRoutes.items, admin.items)
  .openapi(adminRoutes.update, admin.update)

/** Types only, never called: the typed client still knows GET /api/bookings/regular-programs. */
const typedWithEnrolments = (r: typeof bookingsRoutes) =>
  r.openapi(routes.programs, handlers.programs)

export const bookingsRouter = bookingsRoutes as ReturnType<typeof typedWithEnrolments>
