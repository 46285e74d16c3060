import { createRouter } from '../../app/create-app'
import { mountRoutes } from '../../http/mount-routes'
import * as handlers from './venue-rules.handlers'
import * as routes from './venue-rules.routes'

export const venueRulesRouter = mountRoutes(createRouter(), routes, handlers, [
  'availability',
  'getRules',
  'putRules',
])
