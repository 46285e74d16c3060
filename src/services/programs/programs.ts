import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { bookings, regularPrograms, venues } from '../../db/schema'
import { sqlState } from '../../db/errors'
import { invalid, notFound } from '../errors'
import { transaction } from '../../db/transaction'
import { crudService } from '../crud/crud-service'
import { scheduleErrors } from './schedule'
import { sessionConflict, type SessionPlan } from './session-conflicts'

/** Enrolments that hold a seat; the partial index bookings_one_active_enrolment_key covers them. */
export const activeEnrolment = (programId: SQL | number) =>
  sql`${bookings.programId} = ${programId} and ${bookings.kind} = 'program'
      and ${bookings.status} in ('pending', 'confirmed')`

const enrolled = sql<number>`(
  select count(*) from ${bookings} where ${activeEnrolment(sql`${regularPrograms.id}`)}
)`.mapWith(Number)

type ProgramInput = typeof regularPrograms.$inferInsert

const crud = crudService({
  name: 'program',
  table: regularPrograms,
  fields: { ...getTableColumns(regularPrograms), enrolled },
  shownWhen: regularPrograms.isActive,
  remove: 'hide',
})

type ProgramRow = Awaited<ReturnType<typeof crud.get>>

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
  if (!row) throw new Error('the insert returned no row')
  return crud.get(db, row.id, false)
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
  let plan: (SessionPlan & { at: Date }) | undefined
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
    plan = { ...current, ...given, at: new Date() }
    // The trigger re-materializes the sessions still ahead; an overlap fails the whole change.
    await tx
      .update(regularPrograms)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(regularPrograms.id, id))
  }).catch(async (error) => {
    if (sqlState(error) === '23P01' && plan) throw await sessionConflict(db, plan, id, plan.at)
    throw error
  })
  return crud.get(db, id, false)
}

/**
 * Programs: public reads see active ones, each with its seats taken. Enrolments are bookings
 * pointing at the program, so deleting one deactivates it. Creating and changing one check its
 * venue and schedule and name the sessions in the way of a new one.
 */
export const programService = { ...crud, create: createProgram, update: updateProgram }
