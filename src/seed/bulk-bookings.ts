import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'

export interface BulkBookingsOptions {
  count: number
  userIds: number[]
  venueIds: number[]
  /** Rental items that one booking in five rents one of. */
  rentalItemIds?: number[]
  /** The first slot; each venue's slots follow one another from here, never overlapping. */
  startAt: Date
  batchSize?: number
  onProgress?: (inserted: number) => void
}

const idArray = (ids: number[]) => sql.raw(`array[${ids.map(Number).join(',')}]::bigint[]`)
/** A deterministic spread, so seeded data looks random yet is the same every run. */
const hash = (expr: string) => sql.raw(`abs(hashtextextended((${expr})::text, 42))`)

/**
 * Inserts `count` realistic bookings (and their rented items) with INSERT ... SELECT over
 * generate_series: the rows are made inside the database, one statement per batch instead of a
 * round trip per row. Booking n goes to venue n mod V in that venue's slot n div V (90-minute
 * slots, 60 or 90 minutes long), so the no-overlap constraint always holds; slots that a program
 * session already occupies are skipped, so a venue with programs gets a few fewer.
 */
export async function insertBulkBookings(db: Db, options: BulkBookingsOptions): Promise<number> {
  const { count, userIds, venueIds, rentalItemIds = [], startAt } = options
  // Each booking also writes its occupancy (a trigger, with its foreign-key checks): smaller batches
  // keep every statement well inside the statement timeout.
  const batchSize = options.batchSize ?? 2_500
  if (userIds.length === 0 || venueIds.length === 0) throw new Error('users and venues are needed')
  const v = venueIds.length
  const now = new Date().toISOString()
  const rentals = rentalItemIds.length > 0 ? rentalItemIds : [0]
  const rents = rentalItemIds.length > 0 ? sql`${hash('n * 11')} % 5 = 0` : sql`false`
  for (let from = 0; from < count; from += batchSize) {
    const to = Math.min(from + batchSize, count) - 1
    await db.execute(sql`
      with src as (
        select g.venue_id, g.user_id, g.start_datetime, g.minutes, g.n,
               case when ${rents} then g.item_id end as item_id
          from (
            select n,
                   (${idArray(venueIds)})[1 + n % ${v}] as venue_id,
                   (${idArray(userIds)})[1 + ${hash('n')} % ${userIds.length}] as user_id,
                   (${idArray(rentals)})[1 + ${hash('n * 13')} % ${rentals.length}] as item_id,
                   ${startAt.toISOString()}::timestamptz
                     + make_interval(mins => (90 * (n / ${v}))::int) as start_datetime,
                   case when ${hash('n * 7')} % 2 = 0 then 60 else 90 end as minutes
              from generate_series(${from}::bigint, ${to}::bigint) as n
          ) g
      ), priced as (
        select s.*, (ven.hourly_price_cents * s.minutes) / 60 as venue_cents,
               coalesce(it.price_cents, 0) as item_cents
          from src s
          join venues ven on ven.id = s.venue_id
          left join items it on it.id = s.item_id
      ), free as materialized (
        -- Ids are drawn only for the rows kept, so the seeded ids have no gaps: benchmarks read
        -- random ids 1..max and expect each to exist.
        select nextval(pg_get_serial_sequence('bookings', 'id')) as id, p.*
          from priced p
         -- a slot a program session (or any other occupancy) already takes is left out
         where not exists (
           select 1 from venue_occupancies o
            where o.venue_id = p.venue_id and o.active
              and tstzrange(o.starts_at, o.blocked_until, '[)')
                  && tstzrange(p.start_datetime,
                               p.start_datetime + make_interval(mins => p.minutes), '[)'))
      ), new_bookings as (
        insert into bookings (id, user_id, venue_id, kind, start_datetime, end_datetime, status,
                              total_cents, notes, created_at, updated_at)
        overriding system value
        select p.id, p.user_id, p.venue_id, 'single', p.start_datetime,
               p.start_datetime + make_interval(mins => p.minutes),
               (case
                  when p.start_datetime < ${now}::timestamptz then
                    (array['completed','completed','completed','cancelled'])[1 + ${hash('p.n * 3')} % 4]
                  else
                    (array['confirmed','confirmed','confirmed','pending','cancelled'])[1 + ${hash('p.n * 3')} % 5]
                end)::booking_status,
               p.venue_cents + p.item_cents,
               case when ${hash('p.n * 5')} % 10 = 0 then 'Seeded booking ' || p.n end,
               p.start_datetime - interval '14 days', p.start_datetime - interval '14 days'
          from free p
        returning id
      )
      insert into booking_items (booking_id, item_id, quantity, unit_price_cents)
      select p.id, p.item_id, 1, p.item_cents
        from free p join new_bookings b on b.id = p.id
       where p.item_id is not null`)
    // Autovacuum analyzes the growing tables too late: planned on stale statistics, the overlap
    // check above scans every occupancy for each new row, so batches grew from 0.5 s to past the
    // statement timeout. Statistics refreshed after every batch keep it on the GiST index. Fewer
    // refreshes (after the first 8 batches, then as the rows doubled) sped PostgreSQL up but
    // doubled PGlite's time for 300,000 rows (197 s against 102 s).
    await db.execute(sql`analyze venue_occupancies, bookings`)
    options.onProgress?.(to + 1)
  }
  return Math.max(count, 0)
}
