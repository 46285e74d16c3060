import { sql } from 'drizzle-orm'
import { bigint, check, index, pgTable, text, unique } from 'drizzle-orm/pg-core'
import { id, instant, ref } from './columns'
import { users } from './users'

export const uploads = pgTable(
  'uploads',
  {
    id: id(),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    originalName: text('original_name').notNull(),
    storedName: text('stored_name').notNull().unique('uploads_stored_name_key'),
    mime: text('mime').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('uploads_size_non_negative', sql`${t.sizeBytes} >= 0`),
    check('uploads_sha256_hex', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    unique('uploads_user_sha256_key').on(t.userId, t.sha256),
    index('uploads_user_id_id_idx').on(t.userId, t.id),
    index('uploads_sha256_idx').on(t.sha256),
  ],
)
