import { relations } from 'drizzle-orm'
import { bookingItems } from './booking-items'
import { bookings } from './bookings'
import { galleryImages } from './gallery-images'
import { items } from './items'
import { rackOrderItems, rackOrders } from './rack-orders'
import { regularPrograms } from './regular-programs'
import { uploads } from './uploads'
import { users } from './users'
import { venues } from './venues'

export const usersRelations = relations(users, ({ many }) => ({
  bookings: many(bookings),
  rackOrders: many(rackOrders),
  uploads: many(uploads),
}))

export const venuesRelations = relations(venues, ({ many }) => ({
  bookings: many(bookings),
  programs: many(regularPrograms),
}))

export const programsRelations = relations(regularPrograms, ({ one, many }) => ({
  venue: one(venues, { fields: [regularPrograms.venueId], references: [venues.id] }),
  enrolments: many(bookings),
}))

export const bookingsRelations = relations(bookings, ({ one, many }) => ({
  user: one(users, { fields: [bookings.userId], references: [users.id] }),
  venue: one(venues, { fields: [bookings.venueId], references: [venues.id] }),
  program: one(regularPrograms, { fields: [bookings.programId], references: [regularPrograms.id] }),
  items: many(bookingItems),
}))

export const bookingItemsRelations = relations(bookingItems, ({ one }) => ({
  booking: one(bookings, { fields: [bookingItems.bookingId], references: [bookings.id] }),
  item: one(items, { fields: [bookingItems.itemId], references: [items.id] }),
}))

export const rackOrdersRelations = relations(rackOrders, ({ one, many }) => ({
  user: one(users, { fields: [rackOrders.userId], references: [users.id] }),
  items: many(rackOrderItems),
}))

export const rackOrderItemsRelations = relations(rackOrderItems, ({ one }) => ({
  order: one(rackOrders, { fields: [rackOrderItems.rackOrderId], references: [rackOrders.id] }),
  item: one(items, { fields: [rackOrderItems.itemId], references: [items.id] }),
}))

export const uploadsRelations = relations(uploads, ({ one, many }) => ({
  owner: one(users, { fields: [uploads.userId], references: [users.id] }),
  galleryImages: many(galleryImages),
}))

export const galleryImagesRelations = relations(galleryImages, ({ one }) => ({
  upload: one(uploads, { fields: [galleryImages.uploadId], references: [uploads.id] }),
}))
