import { crudHandlers } from '../../http/crud/crud-handlers'
import { venueService } from '../../services/venues/venues'
import { Venue, VenueInput } from './venues.schemas'

export const { list, get, adminList, create, update, remove } = crudHandlers({
  service: venueService,
  toJson: Venue.toJson,
  fromCreate: VenueInput.fromCreate,
  fromUpdate: VenueInput.fromUpdate,
})
