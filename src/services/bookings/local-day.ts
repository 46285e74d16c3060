/**
 * The slice of the TC39 Temporal API this file uses. Bun ships Temporal, TypeScript 5.9 has no
 * types for it yet; Temporal knows each zone's rules, so days that start at 01:00 (a DST jump at
 * midnight) or last 23 or 25 hours come out right without hand-written offset arithmetic.
 */
interface PlainDate {
  add(duration: { days: number }): PlainDate
  toZonedDateTime(timeZone: string): { epochMilliseconds: number }
  toString(): string
}

interface TemporalApi {
  Instant: {
    fromEpochMilliseconds(ms: number): {
      toZonedDateTimeISO(timeZone: string): { toPlainDate(): PlainDate }
    }
  }
}

const { Temporal } = globalThis as unknown as { Temporal: TemporalApi }

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
  const date = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
  return {
    date: date.toString(),
    timeZone,
    from: new Date(date.toZonedDateTime(timeZone).epochMilliseconds),
    to: new Date(date.add({ days: 1 }).toZonedDateTime(timeZone).epochMilliseconds),
  }
}
