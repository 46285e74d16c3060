import { getTableColumns } from 'drizzle-orm'
import { venues } from '../../db/schema'
import { crudService } from '../crud/crud-service'

/**
 * Venues: public reads see active ones. Bookings keep pointing at a venue, so deleting one
 * deactivates it. Every page view lists or reads venues: their reads are prepared statements,
 * served by venues_active_id_idx.
 */
export const venueService = crudService({
  name: 'venue',
  table: venues,
  fields: getTableColumns(venues),
  shownWhen: venues.isActive,
  remove: 'hide',
  prepared: true,
  publicRows: 'wire',
})
