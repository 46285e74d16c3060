import { sql, type SQL } from 'drizzle-orm'
import { regularPrograms, venues } from '../../db/schema'
import type { FieldError } from '../errors'

export interface ScheduleDays {
  weekdays: readonly number[]
  starts_on: string
  ends_on: string
}

export const MAX_PROGRAM_DAYS = 731

/** ISO weekday (1 = Monday) of a `YYYY-MM-DD` calendar date. */
const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

/** What is wrong with a program's date range as a whole: out of order, or holding no session. */
export function scheduleErrors(days: ScheduleDays): FieldError[] {
  if (days.ends_on < days.starts_on) {
    return [{ path: 'ends_on', message: 'must be on or after starts_on' }]
  }
  // Sessions are stored one row each as venue occupancies, so a program's span is bounded.
  if (days.ends_on > addDays(days.starts_on, MAX_PROGRAM_DAYS)) {
    return [{ path: 'ends_on', message: `a program spans at most ${MAX_PROGRAM_DAYS} days` }]
  }
  // A week holds every weekday, so looking at the first seven days is enough.
  for (let n = 0; n < 7; n++) {
    const day = addDays(days.starts_on, n)
    if (day > days.ends_on) break
    if (days.weekdays.includes(isoWeekday(day))) return []
  }
  return [{ path: 'weekdays', message: 'no session falls between starts_on and ends_on' }]
}

/**
 * The start instants of every session of the program in the current row: each date of its range
 * on one of its weekdays, at its start time in its venue's time zone. PostgreSQL's time zone
 * database does the local-to-UTC step, daylight saving included. Needs `venues` joined.
 */
const sessionStarts = sql`
  select (${regularPrograms.startsOn} + day.n + ${regularPrograms.startTime})
           at time zone ${venues.timezone} as starts_at
    from generate_series(0, ${regularPrograms.endsOn} - ${regularPrograms.startsOn}) as day(n)
   where extract(isodow from ${regularPrograms.startsOn} + day.n)::int
         = any(${regularPrograms.weekdays})`

/** The first session that has not started yet, or null when none is left. */
export const nextSessionStart: SQL = sql`(
  select min(s.starts_at) from (${sessionStarts}) as s where s.starts_at > now())`

/** The end of the last session: its start plus the session length, in elapsed time. */
export const lastSessionEnd: SQL = sql`(
  select max(s.starts_at) from (${sessionStarts}) as s)
  + make_interval(mins => ${regularPrograms.durationMinutes})`
