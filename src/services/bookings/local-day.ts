import { plainDateAt, startOfDay } from '../../lib/temporal'

export interface LocalDay {
  /** The calendar date, YYYY-MM-DD. */
  date: string
  timeZone: string
  /** The first instant of the day. */
  from: Date
  /** The first instant of the next day: the day is [from, to). */
  to: Date
}

/** The calendar day in `timeZone` that contains the instant `now`, as a half-open range. */
export function localDay(timeZone: string, now: Date = new Date()): LocalDay {
  const date = plainDateAt(now, timeZone)
  return {
    date: date.toString(),
    timeZone,
    from: startOfDay(date, timeZone),
    to: startOfDay(date.add({ days: 1 }), timeZone),
  }
}
