/**
 * The stack the design fixes with nothing of the service around it: Bun.serve, a hono app built
 * with @hono/zod-openapi, and drizzle over postgres.js. It answers GET /api/health and
 * GET /api/bookings/{id} (the id checked by the app's own zod schema, the booking read by the
 * app's own prepared statements), with none of the app's middleware, authentication or query
 * budget. Measured beside the app and the bare ceiling by bench/stack.ts: how much of the gap
 * between the two the stack itself takes.
 *
 * Run by bench/stack.ts: DATABASE_URL, DB_POOL_SIZE, DB_MAX_OVERFLOW, PORT, HOST.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import type { Db } from '../../src/db/client'
import { IdParams } from '../../src/http/params'
import { bookingById } from '../../src/services/bookings/find-booking'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
const max = Number(process.env.DB_POOL_SIZE ?? 3) + Number(process.env.DB_MAX_OVERFLOW ?? 3)
const client = postgres(url, {
  max,
  onnotice: () => {},
  // int8 as numbers, as the app reads them.
  types: { int8: { to: 20, from: [20], serialize: String, parse: Number } },
})
const db = drizzle({ client }) as unknown as Db
const startedAt = Date.now()

const health = createRoute({
  method: 'get',
  path: '/api/health',
  responses: {
    200: {
      description: 'alive',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('ok'), uptime_seconds: z.number() }),
        },
      },
    },
  },
})

const byId = createRoute({
  method: 'get',
  path: '/api/bookings/{id}',
  request: { params: IdParams },
  responses: {
    200: { description: 'the booking', content: { 'application/json': { schema: z.any() } } },
    404: { description: 'no such booking' },
  },
})

const app = new OpenAPIHono()
  .openapi(health, (c) =>
    c.json(
      { status: 'ok' as const, uptime_seconds: Math.round((Date.now() - startedAt) / 1000) },
      200,
    ),
  )
  .openapi(byId, async (c) => {
    const booking = await bookingById(db, c.req.valid('param').id)
    if (!booking) return c.json({ status: 404, title: 'Not Found' }, 404)
    return c.json(booking, 200)
  })

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? '127.0.0.1',
  fetch: app.fetch,
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.stop()
    await client.end({ timeout: 5 })
    process.exit(0)
  })
}
