import { createRouter } from '../../app/create-app'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './programs.handlers'
import * as routes from './programs.routes'

export const programsRouter = mountRoutes(createRouter(), routes, handlers, [
  'list',
  'get',
  'enroll',
  'adminList',
  'create',
  'update',
  'remove',
])
