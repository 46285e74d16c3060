import { SingleBar, Presets } from 'cli-progress'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { EnvError, parseEnv } from '../env'
import { describeStartupError } from '../app/startup-error'
import { openDatabase, queryRows } from '../db/client'
import { migrate } from '../db/migrate'
import { insertBulkBookings } from './bulk-bookings'
import { seedDemoActivity } from './demo-activity'
import { DEMO_PASSWORD, upsertDemoData } from './demo-data'

const { values } = parseArgs({
  options: {
    bookings: { type: 'string', default: '1000' },
    users: { type: 'string', default: '200' },
  },
})
const bookingCount = Number(values.bookings)
const userCount = Number(values.users)
if (!Number.isInteger(bookingCount) || bookingCount < 0 || !Number.isInteger(userCount) || userCount < 1) {
  console.error('usage: bun run db:seed [--bookings N (>= 0)] [--users N (>= 1)]')
  process.exit(2)
}

let env
let database
try {
  env = parseEnv()
  // Bulk inserts of a million rows take longer than a request's query budget.
  database = openDatabase({ ...env, DB_QUERY_TIMEOUT_MS: 0 })
  await migrate(database)
} catch (error) {
  console.error(
    error instanceof EnvError ? error.message : `seed failed: ${describeStartupError(error)}`,
  )
  await database?.close()
  process.exit(1)
}
try {
  const demo = await upsertDemoData(database.db, { users: userCount, bookings: bookingCount })
  // New slots start after the last seeded booking ends, so seeding again only adds.
  const [last] = await queryRows<{ last: string | null }>(
    database.db,
    sql`select max(end_datetime)::text as last from bookings`,
  )
  const twoYearsAgo = new Date(Date.now() - 2 * 365 * 86_400_000)
  twoYearsAgo.setUTCMinutes(0, 0, 0)
  const startAt = last?.last ? new Date(last.last) : twoYearsAgo
  const bar = new SingleBar({ format: 'bookings [{bar}] {percentage}% {value}/{total} {eta_formatted} left' }, Presets.shades_classic)
  const started = performance.now()
  bar.start(bookingCount, 0)
  await insertBulkBookings(database.db, { count: bookingCount, ...demo, startAt, onProgress: (n) => bar.update(n) })
  bar.stop()
  await seedDemoActivity(database.db, demo.userIds, env.UPLOAD_DIR)
  const seconds = (performance.now() - started) / 1000
  await database.db.execute(sql`analyze`)
  console.log(
    `seeded ${bookingCount} bookings in ${seconds.toFixed(1)} s on ${database.kind}; ` +
      `${demo.venueIds.length} venues, ${demo.userIds.length} demo users (password "${DEMO_PASSWORD}")`,
  )
} finally {
  await database.close()
}
