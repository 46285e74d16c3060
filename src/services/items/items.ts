import { getTableColumns } from 'drizzle-orm'
import { items } from '../../db/schema'
import { crudService } from '../crud/crud-service'

/**
 * Rentals and merchandise: public reads see active ones, by kind if asked (served by
 * items_active_kind_id_idx). Bookings and rack orders point at items, so deleting one takes it off
 * sale. The shop and the booking form read items on every page view: prepared statements.
 */
export const itemService = crudService({
  name: 'item',
  table: items,
  fields: getTableColumns(items),
  shownWhen: items.isActive,
  remove: 'hide',
  filters: { kind: items.kind },
  prepared: true,
  publicRows: 'wire',
})
