import { venues } from '../../db/schema'
import { jsonInput, jsonView, serverManaged } from '../../http/table-json'
import { createInsertSchema, createSelectSchema } from '../../http/table-schemas'
import { isTimeZone } from '../../lib/temporal'

export const Venue = jsonView(createSelectSchema(venues))
export const VenueSchema = Venue.schema.openapi('Venue')

export const VenueInput = jsonInput(
  createInsertSchema(venues, {
    name: (s) => s.trim().min(1).max(200),
    description: (s) => s.max(5000),
    capacity: (s) => s.min(1).max(1_000_000),
    hourlyPriceCents: (s) => s.min(0).max(100_000_000),
    timezone: (s) => s.refine(isTimeZone, 'must be an IANA time zone'),
  }).omit(serverManaged),
)
export const VenueCreate = VenueInput.create.openapi('VenueCreate')
export const VenueUpdate = VenueInput.update.openapi('VenueUpdate')
