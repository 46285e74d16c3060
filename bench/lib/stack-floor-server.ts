/**
 * The floor under the service's idle memory once the stack the design fixes is loaded: a hono
 * app built with @hono/zod-openapi (one route, its query checked by a zod schema) served by
 * Bun.serve, and drizzle over a connected postgres.js pool. Nothing of the service itself. It
 * answers GET /api/health/ready with 200 after a `select 1` through drizzle, as the app's readiness
 * does, so bench/startup.ts times and measures it the same way as the other variants.
 *
 * Run by bench/startup.ts: DATABASE_URL, DB_POOL_SIZE, DB_MAX_OVERFLOW, PORT, HOST.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
const max = Number(process.env.DB_POOL_SIZE ?? 3) + Number(process.env.DB_MAX_OVERFLOW ?? 3)
const client = postgres(url, { max, onnotice: () => {} })
const db = drizzle({ client })
await db.execute(sql`select 1`)

const ready = createRoute({
  method: 'get',
  path: '/api/health/ready',
  request: { query: z.object({ verbose: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: {
      description: 'ready',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
})

const app = new OpenAPIHono().openapi(ready, async (c) => {
  await db.execute(sql`select 1`)
  return c.json({ status: 'ok' as const }, 200)
})

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? '127.0.0.1',
  fetch: app.fetch,
})

process.once('SIGTERM', async () => {
  await server.stop()
  await client.end({ timeout: 5 })
  process.exit(0)
})
