// `bun run bench:availability`: GET /api/venues/{id}/availability over 31 days of one busy venue
// (BOOKINGS bookings, open around the clock on a 30-minute grid), in process, on the database
// DATABASE_URL names (PGlite in memory without it). Reports the answer time and how many SQL
// statements one answer costs. Results: bench/results/<date>-availability.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bun run bench:availability
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inArray, sql } from 'drizzle-orm'
import { buildApp } from '../src/app/build-app'
import { openDatabase } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { AROUND_THE_CLOCK } from '../src/services/venues/opening-hours'
import { users, venueBookingRules, venues } from '../src/db/schema'
import { insertBulkBookings } from '../src/seed/bulk-bookings'
import { parseEnv } from '../src/env'
import { createDeps } from '../src/app/deps'
import { createLogger } from '../src/app/logger'

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 5000)
const RUNS = Number(process.env.BENCH_RUNS ?? 200)
const DAYS = 31

const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', GC_INTERVAL_SECONDS: '0' })
const database = openDatabase(env, { inMemory: true })
await migrate(database)
const { db } = database
let statements = 0
const app = buildApp(createDeps(env, database, { logger: createLogger('silent') }))

const [venue] = await db
  .insert(venues)
  .values({ name: `Bench hall ${Date.now()}`, capacity: 10, hourlyPriceCents: 1000 })
  .returning({ id: venues.id })
const [user] = await db
  .insert(users)
  .values({ email: `bench-${Date.now()}@example.com`, name: 'Bench', passwordHash: 'x' })
  .returning({ id: users.id })
await db.insert(venueBookingRules).values({
  venueId: venue!.id,
  openingHours: AROUND_THE_CLOCK,
  slotMinutes: 30,
  minMinutes: 30,
  maxMinutes: 240,
  bufferMinutes: 0,
  leadTimeMinutes: 0,
  maxAdvanceDays: 1095,
  cancelCutoffMinutes: 0,
})
// 90-minute slots back to back from tomorrow, each booking 60 or 90 minutes: a venue busy
// every hour of the day for about a year, with half-hour gaps between some bookings.
const startAt = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000)
await insertBulkBookings(db, {
  count: BOOKINGS,
  userIds: [user!.id],
  venueIds: [venue!.id],
  startAt,
})
await db.execute(sql`analyze venue_occupancies`)

const from = new Date(startAt.getTime() + 30 * 86_400_000).toISOString().slice(0, 10)
const to = new Date(startAt.getTime() + (30 + DAYS - 1) * 86_400_000).toISOString().slice(0, 10)
const path = `/api/venues/${venue!.id}/availability?from=${from}&to=${to}`

const timings: number[] = []
let slots = 0
if (database.kind === 'postgres') {
  const sqlClient = database.sql as unknown as { options: { debug?: unknown } }
  sqlClient.options.debug = () => void statements++
}
for (let i = 0; i < RUNS + 20; i++) {
  const began = performance.now()
  const res = await app.request(path)
  const body = (await res.json()) as { slots: unknown[] }
  if (i >= 20) timings.push(performance.now() - began)
  slots = body.slots.length
}
timings.sort((a, b) => a - b)
const pct = (p: number) =>
  timings[Math.min(timings.length - 1, Math.floor(p * timings.length))]!.toFixed(2)
const perAnswer = database.kind === 'postgres' ? (statements / (RUNS + 20)).toFixed(1) : 'n/a'

await db.execute(sql`delete from bookings where venue_id = ${venue!.id}`)
await db.delete(venues).where(inArray(venues.id, [venue!.id]))
await db.delete(users).where(inArray(users.id, [user!.id]))

await database.close()

const date = new Date().toISOString().slice(0, 10)
const report = `# Availability of a busy venue (${date})

Command: \`${database.kind === 'postgres' ? 'DATABASE_URL=postgres://... ' : ''}bun run bench:availability\`
(BENCH_BOOKINGS=${BOOKINGS}, BENCH_RUNS=${RUNS}), database: ${database.kind}, in process
(\`app.request\`), after 20 warm-up answers. Machine: shared 2-core VM, load from other work.

One venue with ${BOOKINGS} bookings back to back, open around the clock on a 30-minute grid;
the answer covers ${DAYS} days (${from} to ${to}) and lists ${slots} free starts.

| answers | p50 ms | p95 ms | p99 ms | SQL statements per answer |
| ---: | ---: | ---: | ---: | ---: |
| ${RUNS} | ${pct(0.5)} | ${pct(0.95)} | ${pct(0.99)} | ${perAnswer} |

Each answer reads the venue with its rules (one query) and every active occupancy of the window
(one range query on the EXCLUDE constraint's GiST index); the slots are computed in one pass.
`
writeFileSync(join(import.meta.dir, 'results', `${date}-availability.md`), report)
console.log(report)
