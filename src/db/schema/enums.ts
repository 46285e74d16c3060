import { pgEnum } from 'drizzle-orm/pg-core'

export const userRole = pgEnum('user_role', ['user', 'admin'])
export const itemKind = pgEnum('item_kind', ['rental', 'merchandise'])
export const bookingKind = pgEnum('booking_kind', ['single', 'program'])
export const bookingStatus = pgEnum('booking_status', [
  'pending',
  'confirmed',
  'cancelled',
  'completed',
])
export const rackOrderStatus = pgEnum('rack_order_status', [
  'pending',
  'paid',
  'cancelled',
  'fulfilled',
])
