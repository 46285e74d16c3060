import type { OpeningHours } from '../../db/schema'
import { plainDateAt, startOfDay, Temporal, type PlainDate } from '../../lib/temporal'

/** Opening hours of a venue open around the clock: every weekday from 00:00 to 24:00. */
export const AROUND_THE_CLOCK: OpeningHours = Object.fromEntries(
  ['1', '2', '3', '4', '5', '6', '7'].map((day) => [day, [{ open: '00:00', close: '24:00' }]]),
)

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

/**
 * Until when a stay that starts within `span`, an interval of the local date `date`, may last:
 * the interval's close, carried on through every interval that opens the moment the one before
 * closes, later that day or on the next dates. So a venue open until 24:00 and again from 00:00
 * stays open across midnight, and one open around the clock takes a booking from 23:00 to 01:00.
 * Looks no further than `until`.
 */
export function reachOf(
  hours: OpeningHours,
  timeZone: string,
  span: OpenInterval,
  date: string,
  until: Date,
): Date {
  let close = span.close
  let day = date
  let spans = openIntervals(hours, timeZone, day)
  while (close < until) {
    const at = close.getTime()
    let next = spans.find((s) => s.open.getTime() === at)
    if (!next) {
      day = addDays(day, 1)
      spans = openIntervals(hours, timeZone, day)
      next = spans.find((s) => s.open.getTime() === at)
    }
    if (!next) break
    close = next.close
  }
  return close
}
