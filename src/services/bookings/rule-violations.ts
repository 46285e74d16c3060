import { ServiceError } from '../errors'
import type { BookingRules } from '../venues/booking-rules'
import { localDate, openIntervals, reachOf } from '../venues/opening-hours'

const MINUTE = 60_000

/** The names a 422 gives in `rule`, one per rule a venue books by. */
export type RuleName =
  | 'lead_time'
  | 'max_advance'
  | 'min_duration'
  | 'max_duration'
  | 'opening_hours'
  | 'slot_granularity'
  | 'cancellation_cutoff'
  | 'booking_ended'
  | 'not_ended'

export const ruleProblem = (rule: RuleName, detail: string, extra: Record<string, unknown> = {}) =>
  new ServiceError('unprocessable', detail, { type: 'booking-rule', extensions: { rule, ...extra } })

/**
 * The first rule a slot [start, end) breaks at the venue, or null. The order is the one a person
 * picking a time fixes things in: when, how long, then whether the venue is open and on its grid.
 */
export function slotViolation(
  rules: BookingRules,
  timeZone: string,
  start: Date,
  end: Date,
  now: Date = new Date(),
): ServiceError | null {
  const minutes = (end.getTime() - start.getTime()) / MINUTE
  const earliest = new Date(now.getTime() + rules.leadTimeMinutes * MINUTE)
  if (start < earliest) {
    return ruleProblem(
      'lead_time',
      `Bookings must start at least ${rules.leadTimeMinutes} minutes from now.`,
      { earliest_start: earliest.toISOString() },
    )
  }
  const latest = new Date(now.getTime() + rules.maxAdvanceDays * 1440 * MINUTE)
  if (start > latest) {
    return ruleProblem(
      'max_advance',
      `Bookings may start at most ${rules.maxAdvanceDays} days ahead.`,
      { latest_start: latest.toISOString() },
    )
  }
  if (minutes < rules.minMinutes) {
    return ruleProblem('min_duration', `A booking lasts at least ${rules.minMinutes} minutes.`, {
      min_minutes: rules.minMinutes,
    })
  }
  if (minutes > rules.maxMinutes) {
    return ruleProblem('max_duration', `A booking lasts at most ${rules.maxMinutes} minutes.`, {
      max_minutes: rules.maxMinutes,
    })
  }
  const date = localDate(start, timeZone)
  const span = openIntervals(rules.openingHours, timeZone, date).find(
    (s) => s.open <= start && start < s.close,
  )
  if (!span || end > reachOf(rules.openingHours, timeZone, span, date, end)) {
    return ruleProblem(
      'opening_hours',
      `The venue is not open for the whole slot (opening hours are in ${timeZone}).`,
    )
  }
  // The grid starts at each opening: elapsed minutes, so a DST change moves no slot off it.
  const offset = (start.getTime() - span.open.getTime()) / MINUTE
  if (offset % rules.slotMinutes !== 0 || minutes % rules.slotMinutes !== 0) {
    return ruleProblem(
      'slot_granularity',
      `Bookings start and last in steps of ${rules.slotMinutes} minutes from opening time.`,
      { slot_minutes: rules.slotMinutes },
    )
  }
  return null
}

/** Why the owner may not cancel or move a booking now, or null; admins are not bound by it. */
export function cancellationViolation(
  rules: BookingRules,
  start: Date,
  end: Date,
  now: Date = new Date(),
): ServiceError | null {
  if (now >= end) return ruleProblem('booking_ended', 'The booking has already ended.')
  if (now.getTime() > start.getTime() - rules.cancelCutoffMinutes * MINUTE) {
    return ruleProblem(
      'cancellation_cutoff',
      `Bookings can be cancelled or moved until ${rules.cancelCutoffMinutes} minutes before ` +
        'they start; ask the venue.',
      { cancel_cutoff_minutes: rules.cancelCutoffMinutes },
    )
  }
  return null
}
