import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client'
import { ServiceError } from '../errors'
import { venueRules } from '../venues/booking-rules'
import { describeConflict, type OccupancyRow } from '../venues/occupancy'

export interface SessionPlan {
  venueId: number
  weekdays: readonly number[]
  startTime: string
  durationMinutes: number
  startsOn: string
  endsOn: string
}

const MAX_NAMED = 50

/**
 * The 409 for a program whose sessions the occupancy EXCLUDE refused: it names the bookings and
 * other programs' sessions in the way (up to 50), computing the sessions as the trigger does.
 */
export async function sessionConflict(
  db: Db,
  plan: SessionPlan,
  programId: number | null,
  since: Date | null,
): Promise<ServiceError> {
  const buffer = (await venueRules(db, plan.venueId))?.rules.bufferMinutes ?? 0
  const rows = await queryRows<{
    source: OccupancyRow['source']
    booking_id: string | number | null
    program_id: string | number | null
    user_id: string | number | null
    starts_at: string | Date
    ends_at: string | Date
  }>(
    db,
    sql`with s as (
          select (${plan.startsOn}::date + day.n + ${plan.startTime}::time)
                   at time zone v.timezone as starts_at
            from venues v,
                 generate_series(0, ${plan.endsOn}::date - ${plan.startsOn}::date) as day(n)
           where v.id = ${plan.venueId}
             and extract(isodow from ${plan.startsOn}::date + day.n)::int
                 = any(${`{${plan.weekdays.join(',')}}`}::int[]))
        select distinct o.id, o.source, o.booking_id, o.program_id, b.user_id, o.starts_at, o.ends_at
          from s
          join venue_occupancies o
            on o.venue_id = ${plan.venueId} and o.active
           and tstzrange(o.starts_at, o.blocked_until, '[)')
               && tstzrange(s.starts_at,
                            s.starts_at + make_interval(mins => ${plan.durationMinutes + buffer}),
                            '[)')
          left join bookings b on b.id = o.booking_id
         where s.starts_at >= ${since ? since.toISOString() : '-infinity'}::timestamptz
           and coalesce(o.program_id, 0) <> coalesce(${programId}::bigint, -1)
         order by o.starts_at
         limit ${MAX_NAMED}`,
  )
  const num = (v: string | number | null) => (v === null ? null : Number(v))
  const conflicts = rows.map((r) =>
    describeConflict(
      {
        source: r.source,
        bookingId: num(r.booking_id),
        programId: num(r.program_id),
        userId: num(r.user_id),
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        blockedUntil: new Date(r.ends_at),
      },
      { id: 0, admin: true },
    ),
  )
  return new ServiceError(
    'conflict',
    `The program's sessions overlap ${conflicts.length} booking(s) or session(s) at the venue.`,
    { type: 'sessions-overlap', extensions: { conflicts } },
  )
}
