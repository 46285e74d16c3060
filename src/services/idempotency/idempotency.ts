import { and, eq, lt, sql } from 'drizzle-orm'
import { createHash } from 'node:crypto'
import type { Db } from '../../db/client'
import { inTransaction, preparedOnce } from '../../db/prepared'
import type { Tx } from '../../db/transaction'
import { idempotencyKeys } from '../../db/schema'

/** A claimed key whose request never finished (the process died) is released after this. */
const STALE_AFTER_SECONDS = 60
const IN_PROGRESS = 0

/** One caller's key for one route: the row that remembers the first answer. */
export interface KeyRef {
  userId: number
  route: string
  key: string
}

/**
 * What a claim found: the key is now ours, the first request's answer to replay, that request
 * still running, or the key already used for another request body.
 */
export type Claim =
  | { state: 'claimed' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_progress' }
  | { state: 'reused' }

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

/** The request as a key remembers it: a hash of its body with object keys in a fixed order. */
export const requestHash = (request: unknown) =>
  createHash('sha256').update(JSON.stringify(canonical(request))).digest('hex')

const userId = sql.placeholder('userId')
const route = sql.placeholder('route')
const key = sql.placeholder('key')
const byRef = and(
  eq(idempotencyKeys.userId, userId),
  eq(idempotencyKeys.route, route),
  eq(idempotencyKeys.key, key),
)

/**
 * One statement claims a new key or takes over a stale one (an in-progress row older than
 * STALE_AFTER_SECONDS, whose process died), and returns a row only when the key is now ours.
 */
const claimStatement = (db: Db) =>
  preparedOnce(db, 'idempotency_claim', (name) =>
    db
      .insert(idempotencyKeys)
      .values({
        userId,
        route,
        key,
        requestHash: sql.placeholder('requestHash'),
        statusCode: IN_PROGRESS,
        responseBody: sql`'null'::jsonb`,
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.route, idempotencyKeys.key],
        set: { requestHash: sql`excluded.request_hash`, createdAt: sql`now()` },
        setWhere: and(
          eq(idempotencyKeys.statusCode, IN_PROGRESS),
          lt(idempotencyKeys.createdAt, sql.raw(`now() - interval '${STALE_AFTER_SECONDS} s'`)),
        ),
      })
      .returning({ key: idempotencyKeys.key })
      .prepare(name),
  )

const previousStatement = (db: Db) =>
  preparedOnce(db, 'idempotency_previous', (name) =>
    db
      .select({
        requestHash: idempotencyKeys.requestHash,
        statusCode: idempotencyKeys.statusCode,
        responseBody: idempotencyKeys.responseBody,
      })
      .from(idempotencyKeys)
      .where(byRef)
      .prepare(name),
  )

const storeStatement = (db: Db) =>
  preparedOnce(db, 'idempotency_store', (name) =>
    db
      .update(idempotencyKeys)
      .set({
        statusCode: sql`${sql.placeholder('statusCode')}::int`,
        responseBody: sql`${sql.placeholder('responseBody')}::jsonb`,
      })
      .where(byRef)
      .prepare(name),
  )

// Only a key still in progress: one whose answer was committed with its write stays, whatever
// failed after the COMMIT.
const releaseStatement = (db: Db) =>
  preparedOnce(db, 'idempotency_release', (name) =>
    db
      .delete(idempotencyKeys)
      .where(and(byRef, eq(idempotencyKeys.statusCode, IN_PROGRESS)))
      .prepare(name),
  )

const refValues = (ref: KeyRef) => ({ userId: ref.userId, route: ref.route, key: ref.key })

/**
 * Claims `ref` for a request whose body hashes to `hash`, or says what the key already holds.
 * A key released between the claim and the look-up (its request failed) is claimed again.
 */
export async function claimKey(db: Db, ref: KeyRef, hash: string): Promise<Claim> {
  const values = refValues(ref)
  for (;;) {
    const claimed = await claimStatement(db).execute({ ...values, requestHash: hash })
    if (claimed.length > 0) return { state: 'claimed' }
    const [previous] = await previousStatement(db).execute(values)
    if (!previous) continue
    if (previous.requestHash !== hash) return { state: 'reused' }
    if (previous.statusCode === IN_PROGRESS) return { state: 'in_progress' }
    return { state: 'replay', status: previous.statusCode, body: previous.responseBody }
  }
}

/**
 * Remembers the answer to a claimed key, for its retries to replay, in the transaction `tx` of
 * the write it answers: both are committed, or neither.
 */
export async function storeAnswer(db: Db, tx: Tx, ref: KeyRef, status: number, body: unknown) {
  await inTransaction(storeStatement(db), tx).execute({
    ...refValues(ref),
    statusCode: status,
    responseBody: JSON.stringify(body),
  })
}

/**
 * Gives a claimed key back after its request failed, so the client may try again with it; a key
 * whose answer is stored (its write committed) is kept.
 */
export async function releaseKey(db: Db, ref: KeyRef) {
  await releaseStatement(db).execute(refValues(ref))
}
