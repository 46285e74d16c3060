import type { Db } from '../../db/client'
import type { VenueRules } from './booking-rules'
import { occupanciesBlocking, withBuffer } from './occupancy'
import { addDays, daysBetween, openIntervals, reachOf, type OpenInterval } from './opening-hours'

export const MAX_AVAILABILITY_DAYS = 31
const MINUTE = 60_000

export interface FreeSlot {
  start: Date
  /** The end of the shortest booking allowed from `start`. */
  end: Date
  /** The latest end a booking from `start` may have. */
  maxEnd: Date
}

/**
 * The starts on the venue's grid, over the local dates [from, to], at which a booking can be made
 * now. One range query reads every active occupancy of the window (the EXCLUDE constraint's GiST
 * index serves it); the rest is a single pass: active occupancies never overlap one another, so
 * sorted by start they are sorted by end too, and one pointer walks them alongside the grid.
 */
export async function freeSlots(
  db: Pick<Db, 'select'>,
  venue: VenueRules,
  from: string,
  to: string,
  now: Date = new Date(),
): Promise<FreeSlot[]> {
  const { rules } = venue
  const spans: (OpenInterval & { reach: Date })[] = []
  for (let n = 0; n <= daysBetween(from, to); n++) {
    const date = addDays(from, n)
    for (const span of openIntervals(rules.openingHours, venue.timezone, date)) {
      const until = new Date(span.close.getTime() + rules.maxMinutes * MINUTE)
      const reach = reachOf(rules.openingHours, venue.timezone, span, date, until)
      spans.push({ ...span, reach })
    }
  }
  const earliest = now.getTime() + rules.leadTimeMinutes * MINUTE
  const latest = now.getTime() + rules.maxAdvanceDays * 1440 * MINUTE
  const open = spans.filter((s) => s.close.getTime() > earliest && s.open.getTime() <= latest)
  if (open.length === 0) return []

  const taken = await occupanciesBlocking(
    db,
    venue.venueId,
    open[0]!.open,
    withBuffer(open.at(-1)!.reach, rules.bufferMinutes),
  )
  const slot = rules.slotMinutes * MINUTE
  const shortest = rules.minMinutes * MINUTE
  const buffer = rules.bufferMinutes * MINUTE
  const free: FreeSlot[] = []
  let next = 0
  for (const span of open) {
    const close = span.close.getTime()
    const reach = span.reach.getTime()
    // Starts lie within the span; a booking from one may run on into the spans it continues in.
    for (let start = span.open.getTime(); start < close; start += slot) {
      if (start + shortest > reach) break
      if (start < earliest) continue
      if (start > latest) return free
      while (next < taken.length && taken[next]!.blockedUntil.getTime() <= start) next++
      const ahead = taken[next]
      if (ahead && ahead.startsAt.getTime() <= start) continue
      const bound = Math.min(
        reach,
        start + rules.maxMinutes * MINUTE,
        ahead ? ahead.startsAt.getTime() - buffer : Infinity,
      )
      const longest = Math.floor((bound - start) / slot) * slot
      if (longest < shortest) continue
      free.push({
        start: new Date(start),
        end: new Date(start + shortest),
        maxEnd: new Date(start + longest),
      })
    }
  }
  return free
}
