import { boolean, index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { id, ref, timestamps } from './columns'
import { uploads } from './uploads'

export const galleryImages = pgTable(
  'gallery_images',
  {
    id: id(),
    uploadId: ref('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    caption: text('caption').notNull().default(''),
    isPublic: boolean('is_public').notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    index('gallery_images_upload_id_idx').on(t.uploadId),
    index('gallery_images_public_order_idx').on(t.isPublic, t.sortOrder, t.id),
  ],
)
