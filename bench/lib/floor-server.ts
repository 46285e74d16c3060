/**
 * The floor under the service's idle memory: Bun.serve and a connected postgres.js pool, nothing
 * else. It answers GET /api/health/ready with 200 after a `select 1`, as the app's readiness does,
 * so bench/startup.ts times and measures it the same way. What it uses is Bun's own share of any
 * idle RSS target; the app can only add to it.
 *
 * Run by bench/startup.ts: DATABASE_URL, DB_POOL_SIZE, DB_MAX_OVERFLOW, PORT, HOST.
 */
import postgres from 'postgres'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
const max = Number(process.env.DB_POOL_SIZE ?? 3) + Number(process.env.DB_MAX_OVERFLOW ?? 3)
const sql = postgres(url, { max, onnotice: () => {} })
await sql`select 1`

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? '127.0.0.1',
  async fetch(request) {
    if (new URL(request.url).pathname !== '/api/health/ready') {
      return new Response(null, { status: 404 })
    }
    await sql`select 1`
    return Response.json({ status: 'ok' })
  },
})

process.once('SIGTERM', async () => {
  await server.stop()
  await sql.end({ timeout: 5 })
  process.exit(0)
})
