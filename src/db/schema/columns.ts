import { bigint, timestamp } from 'drizzle-orm/pg-core'

// Generic in the name so a column's SQL name stays a literal type: the API's field names are
// the column names (see src/db/wire-fields.ts).

/** `bigint` identity ids, read as JS numbers (ids stay far below 2^53). */
export const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity()

export const ref = <Name extends string>(name: Name) => bigint(name, { mode: 'number' })

/**
 * Milliseconds, as JS Dates and the API's RFC 3339 output carry: keyset cursors hold an instant
 * as the API writes it, so a stored microsecond would sort after its own cursor and repeat.
 */
export const instant = <Name extends string>(name: Name) =>
  timestamp(name, { withTimezone: true, mode: 'date', precision: 3 })

export const timestamps = {
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
}
