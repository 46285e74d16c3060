import { and, eq, lt, sql } from 'drizzle-orm'
import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import type { Db } from '../../db/client'
import { idempotencyKeys } from '../../db/schema'
import type { AppEnv } from '../../app/context'
import { Problem, badRequest } from '../../http/problem'

/** A claimed key whose request never finished (the process died) is released after this. */
const STALE_AFTER_MS = 60_000
const IN_PROGRESS = 0

const canonical = (value: unknown): unknown =>
  value instanceof Date
    ? value.toISOString()
    : Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value

const hashOf = (body: unknown) =>
  createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex')

export interface Outcome<T> {
  status: 200 | 201
  body: T
}

/**
 * Runs a create at most once per `Idempotency-Key`: the first request claims the key, a retry
 * with the same body replays the first answer (status and body), the same key with another body
 * is 422, and a retry while the first is still running is 409. Failed attempts release the key so
 * the client can try again. Without the header the work simply runs.
 */
export async function idempotent<T>(
  c: Context<AppEnv>,
  route: string,
  body: unknown,
  run: () => Promise<Outcome<T>>,
): Promise<Outcome<T> & { replayed: boolean }> {
  const key = c.req.header('Idempotency-Key')
  if (key === undefined) return { ...(await run()), replayed: false }
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters.', [
      { path: 'header.idempotency-key', message: 'invalid key' },
    ])
  }
  const db: Db = c.var.deps.database.db
  const userId = c.var.user.id
  const requestHash = hashOf(body)
  const where = and(
    eq(idempotencyKeys.userId, userId),
    eq(idempotencyKeys.route, route),
    eq(idempotencyKeys.key, key),
  )

  await db
    .delete(idempotencyKeys)
    .where(
      and(
        where,
        eq(idempotencyKeys.statusCode, IN_PROGRESS),
        lt(idempotencyKeys.createdAt, new Date(Date.now() - STALE_AFTER_MS)),
      ),
    )
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ userId, route, key, requestHash, statusCode: IN_PROGRESS, responseBody: sql`'null'::jsonb` })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key })

  if (claimed.length === 0) {
    const [previous] = await db
      .select({
        requestHash: idempotencyKeys.requestHash,
        statusCode: idempotencyKeys.statusCode,
        responseBody: idempotencyKeys.responseBody,
      })
      .from(idempotencyKeys)
      .where(where)
    if (!previous) return idempotent(c, route, body, run)
    if (previous.requestHash !== requestHash) {
      throw new Problem(422, 'This Idempotency-Key was used with a different request body.', {
        type: 'idempotency-key-reused',
      })
    }
    if (previous.statusCode === IN_PROGRESS) {
      throw new Problem(409, 'A request with this Idempotency-Key is still being processed.', {
        type: 'idempotency-in-progress',
        headers: { 'Retry-After': '1' },
      })
    }
    return {
      status: previous.statusCode as 200 | 201,
      body: previous.responseBody as T,
      replayed: true,
    }
  }

  try {
    const outcome = await run()
    await db
      .update(idempotencyKeys)
      .set({ statusCode: outcome.status, responseBody: outcome.body as object })
      .where(where)
    return { ...outcome, replayed: false }
  } catch (error) {
    await db.delete(idempotencyKeys).where(where)
    throw error
  }
}
