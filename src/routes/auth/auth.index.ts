import { createRouter } from '../../app/create-app'
import * as handlers from './auth.handlers'
import * as routes from './auth.routes'

export const authRouter = createRouter()
  .openapi(routes.register, handlers.postRegister)
  .openapi(routes.login, handlers.postLogin)
  .openapi(routes.me, handlers.getMe)
  .openapi(routes.logout, handlers.postLogout)
  .openapi(routes.password, handlers.postPassword)
