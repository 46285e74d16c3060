import type { CacheChanges } from '../http/middleware/response-cache'
import { CACHE_NAMESPACE as GALLERY } from './gallery/gallery.routes'
import { CACHE_NAMESPACE as ITEMS } from './items/items.routes'
import { CACHE_NAMESPACE as PROGRAMS } from './programs/programs.routes'
import { CACHE_NAMESPACE as VENUES } from './venues/venues.routes'

/**
 * Which cached public reads each write changes: the one list to read when adding a write or a
 * cached read. After a write succeeds, `dropChangedCaches` drops what it lists here, on the
 * in-process cache or on Redis. Every write route is listed, those that change nothing cached
 * with `[]`; tests/cache/cache-changes.test.ts fails for a write route missing here, and holds a
 * test for each write that drops something.
 */
export const cacheChanges: CacheChanges = {
  'POST /api/auth/register': [],
  'POST /api/auth/login': [],
  'POST /api/auth/logout': [],
  'POST /api/auth/password': [],

  'POST /api/admin/venues': [VENUES],
  'PATCH /api/admin/venues/{id}': [VENUES],
  'DELETE /api/admin/venues/{id}': [VENUES],
  // A venue's answer does not carry its rules, and availability is read fresh each time.
  'PUT /api/admin/venues/{id}/rules': [],

  'POST /api/admin/items': [ITEMS],
  'PATCH /api/admin/items/{id}': [ITEMS],
  'DELETE /api/admin/items/{id}': [ITEMS],

  'POST /api/admin/programs': [PROGRAMS],
  'PATCH /api/admin/programs/{id}': [PROGRAMS],
  'DELETE /api/admin/programs/{id}': [PROGRAMS],
  // A program shows its `enrolled` count: enrolments are bookings of kind program, so whatever
  // changes a booking's status may change it.
  'POST /api/programs/{id}/enroll': [PROGRAMS],
  'POST /api/bookings/{id}/cancel': [PROGRAMS],
  'PATCH /api/admin/bookings/{id}': [PROGRAMS],
  // Rental stock is counted per slot from the bookings; an item's own stock stays as it is.
  'POST /api/bookings': [],
  // Only single bookings can be moved; an enrolment, which `enrolled` counts, follows its program.
  'PATCH /api/bookings/{id}': [],

  // Items show their stock: buying takes merchandise stock, cancelling puts it back.
  'POST /api/rack-orders': [ITEMS],
  'POST /api/rack-orders/{id}/cancel': [ITEMS],
  'PATCH /api/admin/rack-orders/{id}': [ITEMS],

  'POST /api/admin/gallery': [GALLERY],
  'PATCH /api/admin/gallery/{id}': [GALLERY],
  'DELETE /api/admin/gallery/{id}': [GALLERY],
  // An upload reaches the public gallery only through a gallery entry, written above.
  'POST /api/uploads': [],
}
