import { createRouter } from '../../app/create-app'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './gallery.handlers'
import * as routes from './gallery.routes'

export const galleryRouter = mountRoutes(createRouter(), routes, handlers, [
  'publicList',
  'adminList',
  'create',
  'update',
  'remove',
])
