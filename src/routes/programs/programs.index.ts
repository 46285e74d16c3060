import { createRouter } from '../../app/create-app'
import * as handlers from './programs.handlers'
import * as routes from './programs.routes'

export const programsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.enroll, handlers.enroll)
  .openapi(routes.adminList, handlers.adminList)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
