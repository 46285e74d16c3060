import { createRouter } from '../../app/create-app'
import * as handlers from './venue-rules.handlers'
import * as routes from './venue-rules.routes'

export const venueRulesRouter = createRouter()
  .openapi(routes.availability, handlers.availability)
  .openapi(routes.getRules, handlers.getRules)
  .openapi(routes.putRules, handlers.putRules)
