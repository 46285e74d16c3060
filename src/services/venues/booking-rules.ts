import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { inTransaction, preparedOnce } from '../../db/prepared'
import type { Tx } from '../../db/transaction'
import { columnsWithout } from '../../db/wire-fields'
import { venueBookingRules, venues, type OpeningHours } from '../../db/schema'

/** The rules a venue books by: its rules row but the venue and when it last changed. */
export type BookingRules = Omit<typeof venueBookingRules.$inferSelect, 'venueId' | 'updatedAt'>

const ruleColumns = columnsWithout(venueBookingRules, ['venueId', 'updatedAt'])

const everyDay = (open: string, close: string): OpeningHours =>
  Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [String(d), [{ open, close }]]))

/**
 * The rules of a venue nobody has configured. The occupancy triggers in drizzle/ assume the same
 * buffer (0) for a venue without a rules row.
 */
export const DEFAULT_RULES: BookingRules = {
  openingHours: everyDay('08:00', '22:00'),
  slotMinutes: 30,
  minMinutes: 30,
  maxMinutes: 240,
  bufferMinutes: 0,
  leadTimeMinutes: 60,
  maxAdvanceDays: 180,
  cancelCutoffMinutes: 24 * 60,
}

export interface VenueRules {
  venueId: number
  timezone: string
  isActive: boolean
  hourlyPriceCents: number
  rules: BookingRules
  /** False while the venue follows DEFAULT_RULES. */
  configured: boolean
}

const rulesOf = (db: Db) =>
  db
    .select({
      venueId: venues.id,
      timezone: venues.timezone,
      isActive: venues.isActive,
      hourlyPriceCents: venues.hourlyPriceCents,
      configured: sql<boolean>`${venueBookingRules.venueId} is not null`,
      ...ruleColumns,
    })
    .from(venues)
    .leftJoin(venueBookingRules, eq(venueBookingRules.venueId, venues.id))
    .where(eq(venues.id, sql.placeholder('venueId')))

const rulesStatement = (db: Db) =>
  preparedOnce(db, 'venue_rules', (name) => rulesOf(db).prepare(name))

// Writes that occupy one venue take turns on its row: two inserts that overlap would otherwise
// each wait for the other's EXCLUDE check and deadlock. NO KEY UPDATE leaves the foreign-key
// checks of other tables' inserts free.
const lockedRulesStatement = (db: Db) =>
  preparedOnce(db, 'venue_rules_locked', (name) =>
    rulesOf(db).for('no key update', { of: venues }).prepare(name),
  )

/**
 * A venue with the rules it books by, in one query; undefined when no venue has this id. Read
 * with `lockIn`, the venue row stays locked until that transaction ends.
 */
export async function venueRules(
  db: Db,
  venueId: number,
  { lockIn }: { lockIn?: Tx } = {},
): Promise<VenueRules | undefined> {
  const [row] = lockIn
    ? await inTransaction(lockedRulesStatement(db), lockIn).execute({ venueId })
    : await rulesStatement(db).execute({ venueId })
  if (!row) return undefined
  const { venueId: id, timezone, isActive, hourlyPriceCents, configured, ...rules } = row
  return {
    venueId: id,
    timezone,
    isActive,
    hourlyPriceCents,
    configured: Boolean(configured),
    rules: configured ? (rules as BookingRules) : DEFAULT_RULES,
  }
}

/**
 * Stores a venue's rules whole. A new buffer applies to occupancies written from now on; the
 * ones already stored keep the gap they were booked with.
 */
export async function putRules(db: Db, venueId: number, rules: BookingRules): Promise<void> {
  await db
    .insert(venueBookingRules)
    .values({ venueId, ...rules })
    .onConflictDoUpdate({
      target: venueBookingRules.venueId,
      set: { ...rules, updatedAt: new Date() },
    })
}
