import postgres from 'postgres'
import { join } from 'node:path'
import { AROUND_THE_CLOCK } from '../../src/services/venues/opening-hours'

export const root = join(import.meta.dir, '..', '..')
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench'

/** Creates the bench database when missing and seeds it up to `bookings` rows. */
export async function prepareBenchDatabase(bookings: number, url = BENCH_DATABASE_URL) {
  const target = new URL(url)
  const name = target.pathname.slice(1)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const server = postgres(admin.toString(), { max: 1, onnotice: () => {} })
  const [exists] = await server`select 1 from pg_database where datname = ${name}`
  if (!exists) await server.unsafe(`create database "${name}"`)
  await server.end()

  const db = postgres(url, { max: 1, onnotice: () => {} })
  let have = 0
  try {
    const [row] = await db`select count(*)::int as n from bookings`
    have = row?.n ?? 0
  } catch {
    have = 0 // no tables yet: the seed migrates first
  }
  await db.end()
  if (have < bookings) {
    console.log(`seeding ${bookings - have} bookings into ${name} ...`)
    const seed = ['src/seed/seed.ts', '--bookings', String(bookings - have), '--users', '1000']
    const run = Bun.spawnSync([process.execPath, ...seed], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdout: 'inherit',
      stderr: 'inherit',
    })
    if (run.exitCode !== 0) throw new Error('seeding failed')
    // Autovacuum may be off or not yet round: the planner needs the new rows' statistics, and
    // counts their visibility map, before the first measurement.
    const fresh = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await fresh`vacuum (analyze) bookings, booking_items, users, venues`
    } finally {
      await fresh.end()
    }
  }
  return url
}

/** Where benchmark writes put their bookings: hour slots from here on, after every seeded one. */
export const SLOT_BASE = '2040-01-01T00:00:00.000Z'
/** The seeded bookings all end before this: a `to` that keeps benchmark writes out of a range. */
export const SEEDED_BEFORE = '2039-01-01T00:00:00.000Z'

/**
 * Removes the bookings benchmark writes made (and anything hanging off them), so every run, and
 * the app and the ceiling within one run, start from the same 1,000,000 seeded rows.
 */
export async function removeBenchWrites(url = BENCH_DATABASE_URL) {
  const db = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await db`delete from booking_items where booking_id in
               (select id from bookings where start_datetime >= ${SLOT_BASE}::timestamptz)`
    await db`delete from bookings where start_datetime >= ${SLOT_BASE}::timestamptz`
  } finally {
    await db.end()
  }
}

/**
 * Removes benchmark writes and vacuums, so the tables are as autovacuum keeps them in production:
 * the visibility map set (count queries run as index-only scans) and no dead index entries left
 * by deleted rows (PostgreSQL skips index cleanup when few pages have dead rows; it is forced).
 */
export async function resetBenchDatabase(url = BENCH_DATABASE_URL) {
  await removeBenchWrites(url)
  const db = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await db`vacuum (analyze, index_cleanup on) bookings, booking_items, users, venues, uploads`
  } finally {
    await db.end()
  }
}

/** What the benchmark needs to know of the seeded data, and the server's version. */
export async function describeBenchDatabase(url = BENCH_DATABASE_URL) {
  const db = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [seeded] = await db`
      select count(*)::int as bookings, max(id)::int as max_id, min(start_datetime) as first_start
        from bookings where start_datetime < ${SEEDED_BEFORE}::timestamptz`
    const [venue] = await db`select max(id)::int as id from venues where is_active`
    // Write benchmarks book hour after hour, around the clock and years ahead: that venue takes
    // such bookings (its own booking rules), the others keep the defaults.
    const allDay = JSON.stringify(AROUND_THE_CLOCK)
    await db`
      insert into venue_booking_rules (venue_id, opening_hours, slot_minutes, min_minutes,
        max_minutes, buffer_minutes, lead_time_minutes, max_advance_days, cancel_cutoff_minutes)
      values (${venue!.id}, ${allDay}::jsonb, 1, 1, 1440, 0, 0, 36500, 0)
      on conflict (venue_id) do nothing`
    const [server] = await db`select current_setting('server_version') as version`
    return {
      bookings: seeded!.bookings as number,
      maxId: seeded!.max_id as number,
      firstStart: (seeded!.first_start as Date).toISOString(),
      /** The venue benchmark writes book: the last active one, so seeded slots are never hit. */
      writeVenueId: venue!.id as number,
      postgres: server!.version as string,
    }
  } finally {
    await db.end()
  }
}

const serverUrl = (url: string) => {
  const admin = new URL(url)
  admin.pathname = '/postgres'
  return admin.toString()
}
const nameOf = (url: string) => new URL(url).pathname.slice(1)

/** Drops and creates the database `url` names, empty, for one run; answers the server version. */
export async function createScratchDatabase(url: string): Promise<string> {
  const server = postgres(serverUrl(url), { max: 1, onnotice: () => {} })
  try {
    await server.unsafe(`drop database if exists "${nameOf(url)}" with (force)`)
    await server.unsafe(`create database "${nameOf(url)}"`)
    const [row] = await server`show server_version`
    return String(row?.server_version)
  } finally {
    await server.end()
  }
}

export async function dropScratchDatabase(url: string) {
  const server = postgres(serverUrl(url), { max: 1, onnotice: () => {} })
  try {
    await server.unsafe(`drop database if exists "${nameOf(url)}" with (force)`)
  } finally {
    await server.end()
  }
}
