import { and, count, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, regularPrograms, venues } from '../../db/schema'
import type { PageWindow } from '../../http/pagination'
import { sqlState } from '../../db/errors'
import { invalid, notFound } from '../errors'
import { transaction } from '../../db/transaction'
import { scheduleErrors } from './schedule'
import { sessionConflict } from './session-conflicts'

/** Enrolments that hold a seat; the partial index bookings_one_active_enrolment_key covers them. */
export const activeEnrolment = (programId: SQL | number) =>
  sql`${bookings.programId} = ${programId} and ${bookings.kind} = 'program'
      and ${bookings.status} in ('pending', 'confirmed')`

const enrolled = sql<number>`(
  select count(*) from ${bookings} where ${activeEnrolment(sql`${regularPrograms.id}`)}
)`.mapWith(Number)

export const programColumns = {
  id: regularPrograms.id,
  venueId: regularPrograms.venueId,
  name: regularPrograms.name,
  description: regularPrograms.description,
  weekdays: regularPrograms.weekdays,
  startTime: regularPrograms.startTime,
  durationMinutes: regularPrograms.durationMinutes,
  startsOn: regularPrograms.startsOn,
  endsOn: regularPrograms.endsOn,
  capacity: regularPrograms.capacity,
  priceCents: regularPrograms.priceCents,
  isActive: regularPrograms.isActive,
  enrolled,
  createdAt: regularPrograms.createdAt,
  updatedAt: regularPrograms.updatedAt,
}

export type ProgramRow = {
  id: number
  venueId: number
  name: string
  description: string
  weekdays: number[]
  /** `HH:MM:SS`, as PostgreSQL prints a `time`. */
  startTime: string
  durationMinutes: number
  startsOn: string
  endsOn: string
  capacity: number
  priceCents: number
  isActive: boolean
  enrolled: number
  createdAt: Date
  updatedAt: Date
}

export type ProgramInput = {
  venueId: number
  name: string
  description?: string
  weekdays: number[]
  startTime: string
  durationMinutes: number
  startsOn: string
  endsOn: string
  capacity: number
  priceCents: number
  isActive?: boolean
}

const filter = (onlyActive: boolean): SQL | undefined =>
  onlyActive ? eq(regularPrograms.isActive, true) : undefined

export function listPrograms(
  db: Db,
  onlyActive: boolean,
  window: PageWindow,
): Promise<ProgramRow[]> {
  return db
    .select(programColumns)
    .from(regularPrograms)
    .where(and(filter(onlyActive), window.after))
    .orderBy(...window.orderBy)
    .limit(window.limit)
    .offset(window.offset)
}

export async function countPrograms(db: Db, onlyActive: boolean): Promise<number> {
  const [row] = await db.select({ n: count() }).from(regularPrograms).where(filter(onlyActive))
  return row?.n ?? 0
}

export async function findProgram(
  db: Db,
  id: number,
  onlyActive: boolean,
): Promise<ProgramRow | undefined> {
  const [row] = await db
    .select(programColumns)
    .from(regularPrograms)
    .where(and(eq(regularPrograms.id, id), filter(onlyActive)))
  return row
}

async function assertVenueExists(db: Db, venueId: number) {
  const [venue] = await db.select({ id: venues.id }).from(venues).where(eq(venues.id, venueId))
  if (!venue) {
    throw invalid('The venue does not exist.', [{ path: 'venue_id', message: 'no such venue' }])
  }
}

export async function createProgram(db: Db, input: ProgramInput): Promise<ProgramRow> {
  await assertVenueExists(db, input.venueId)
  // A trigger materializes the sessions as venue occupancies in the same statement.
  const [row] = await db
    .insert(regularPrograms)
    .values(input)
    .returning({ id: regularPrograms.id })
    .catch(async (error) => {
      if (sqlState(error) === '23P01' && input.isActive !== false) {
        throw await sessionConflict(db, input, null, null)
      }
      throw error
    })
  return (await findProgram(db, row!.id, false))!
}

/**
 * Applies a partial change, checking the date range as it will be after the change (a new
 * `ends_on` alone may fall before the stored `starts_on`).
 */
export async function updateProgram(
  db: Db,
  id: number,
  input: Partial<ProgramInput>,
): Promise<ProgramRow> {
  let plan: (ProgramInput & { at: Date }) | undefined
  await transaction(db, async (tx) => {
    const [current] = await tx
      .select({
        venueId: regularPrograms.venueId,
        startTime: regularPrograms.startTime,
        durationMinutes: regularPrograms.durationMinutes,
        isActive: regularPrograms.isActive,
        weekdays: regularPrograms.weekdays,
        startsOn: regularPrograms.startsOn,
        endsOn: regularPrograms.endsOn,
      })
      .from(regularPrograms)
      .where(eq(regularPrograms.id, id))
      .for('update')
    if (!current) throw notFound('program')
    const errors = scheduleErrors({
      weekdays: input.weekdays ?? current.weekdays,
      starts_on: input.startsOn ?? current.startsOn,
      ends_on: input.endsOn ?? current.endsOn,
    })
    if (errors.length > 0) throw invalid('The program has no valid schedule.', errors)
    if (input.venueId !== undefined) await assertVenueExists(tx, input.venueId)
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))
    plan = { ...current, name: '', capacity: 0, priceCents: 0, ...given, at: new Date() }
    // The trigger re-materializes the sessions still ahead; an overlap fails the whole change.
    await tx
      .update(regularPrograms)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(regularPrograms.id, id))
  }).catch(async (error) => {
    if (sqlState(error) === '23P01' && plan) throw await sessionConflict(db, plan, id, plan.at)
    throw error
  })
  return (await findProgram(db, id, false))!
}

/** Enrolments are bookings pointing at the program, so deleting one deactivates it. */
export async function deactivateProgram(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(regularPrograms)
    .set({ isActive: false, updatedAt: new Date() })
    .where(eq(regularPrograms.id, id))
    .returning({ id: regularPrograms.id })
  return rows.length > 0
}
