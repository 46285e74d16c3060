import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { venueService } from '../../services/venues/venues'
import type * as routes from './venues.routes'
import { Venue, VenueInput } from './venues.schemas'

const h = crudHandlers({
  service: venueService,
  toJson: Venue.toJson,
  fromCreate: VenueInput.fromCreate,
  fromUpdate: VenueInput.fromUpdate,
})
export const list: AppRouteHandler<typeof routes.list> = h.list
export const get: AppRouteHandler<typeof routes.get> = h.get
export const adminList: AppRouteHandler<typeof routes.adminList> = h.adminList
export const create: AppRouteHandler<typeof routes.create> = h.create
export const update: AppRouteHandler<typeof routes.update> = h.update
export const remove: AppRouteHandler<typeof routes.remove> = h.remove
