import type { OpeningHours } from '../../db/schema'
import { plainDateAt, startOfDay, Temporal, type PlainDate } from '../../lib/temporal'

/** A half-open interval of instants during which the venue is open. */
export interface OpenInterval {
  open: Date
  close: Date
}

/** The calendar date (YYYY-MM-DD) in `timeZone` of an instant. */
export const localDate = (at: Date, timeZone: string): string =>
  plainDateAt(at, timeZone).toString()

export const addDays = (date: string, days: number): string =>
  Temporal.PlainDate.from(date).add({ days }).toString()

/** Whole days from `from` to `to`, both YYYY-MM-DD. */
export const daysBetween = (from: string, to: string): number =>
  Temporal.PlainDate.from(to).since(Temporal.PlainDate.from(from)).days

function instantAt(date: PlainDate, time: string, timeZone: string): Date {
  // "24:00" closes at the first instant of the next day.
  if (time === '24:00') return startOfDay(date.add({ days: 1 }), timeZone)
  return new Date(date.toZonedDateTime({ timeZone, plainTime: time }).epochMilliseconds)
}

/** The venue's opening intervals on one local calendar date, earliest first. */
export function openIntervals(hours: OpeningHours, timeZone: string, date: string): OpenInterval[] {
  const day = Temporal.PlainDate.from(date)
  return (hours[String(day.dayOfWeek)] ?? [])
    .map((span) => ({
      open: instantAt(day, span.open, timeZone),
      close: instantAt(day, span.close, timeZone),
    }))
    .filter((span) => span.close > span.open)
    .sort((a, b) => a.open.getTime() - b.open.getTime())
}
