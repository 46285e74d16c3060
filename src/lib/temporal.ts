/**
 * The slice of the TC39 Temporal API the service uses. Bun ships Temporal; TypeScript 5.9 has no
 * types for it yet. Temporal knows each zone's rules: a local time in a spring-forward gap moves to
 * the first valid instant after it, and days that start at 01:00 or last 23 or 25 hours come out
 * right without hand-written offset arithmetic.
 */
export interface PlainDate {
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

export const { Temporal } = globalThis as unknown as { Temporal: TemporalApi }

/** The calendar date in `timeZone` that holds the instant `at`. */
export const plainDateAt = (at: Date, timeZone: string): PlainDate =>
  Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone).toPlainDate()

/** The first instant of `date` in `timeZone`. */
export const startOfDay = (date: PlainDate, timeZone: string): Date =>
  new Date(date.toZonedDateTime({ timeZone }).epochMilliseconds)

/** Whether the runtime knows `name` as an IANA time zone (`Europe/Oslo`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
