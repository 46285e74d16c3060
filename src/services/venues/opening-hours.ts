import type { OpeningHours } from '../../db/schema'

/**
 * The slice of the TC39 Temporal API this file uses (Bun ships it; TypeScript has no types yet).
 * Temporal knows each zone's rules: an opening time that falls in a spring-forward gap moves to
 * the first valid instant after it, and days of 23 or 25 hours come out right.
 */
interface PlainDate {
  dayOfWeek: number
  add(duration: { days: number }): PlainDate
  since(other: PlainDate): { days: number }
  toZonedDateTime(options: { timeZone: string; plainTime?: string }): { epochMilliseconds: number }
  toString(): string
}

interface TemporalApi {
  PlainDate: { from(text: string): PlainDate; compare(a: PlainDate, b: PlainDate): number }
  Instant: {
    fromEpochMilliseconds(ms: number): {
      toZonedDateTimeISO(timeZone: string): { toPlainDate(): PlainDate }
    }
  }
}

const { Temporal } = globalThis as unknown as { Temporal: TemporalApi }

/** A half-open interval of instants during which the venue is open. */
export interface OpenInterval {
  open: Date
  close: Date
}

/** The calendar date (YYYY-MM-DD) in `timeZone` of an instant. */
export const localDate = (at: Date, timeZone: string): string =>
  Temporal.Instant.fromEpochMilliseconds(at.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .toString()

export const addDays = (date: string, days: number): string =>
  Temporal.PlainDate.from(date).add({ days }).toString()

/** Whole days from `from` to `to`, both YYYY-MM-DD. */
export const daysBetween = (from: string, to: string): number =>
  Temporal.PlainDate.from(to).since(Temporal.PlainDate.from(from)).days

function instantAt(date: PlainDate, time: string, timeZone: string): Date {
  // "24:00" closes at the first instant of the next day.
  if (time === '24:00')
    return new Date(date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds)
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
