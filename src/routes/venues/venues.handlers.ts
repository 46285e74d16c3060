import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { venueService } from '../../services/venues/venues'
import type * as routes from './venues.routes'
import { Venue, VenueInput } from './venues.schemas'

const handlers = crudHandlers({
  service: venueService,
  toJson: Venue.toJson,
  fromCreate: VenueInput.fromCreate,
  fromUpdate: VenueInput.fromUpdate,
})

export const list: AppRouteHandler<typeof routes.list> = handlers.list
export const get: AppRouteHandler<typeof routes.get> = handlers.get
export const adminList: AppRouteHandler<typeof routes.adminList> = handlers.adminList
export const create: AppRouteHandler<typeof routes.create> = handlers.create
export const update: AppRouteHandler<typeof routes.update> = handlers.update
export const remove: AppRouteHandler<typeof routes.remove> = handlers.remove
