import type { Context } from 'hono'
import type { AppEnv } from '../app/context'
import type { BeforeCommit } from '../db/transaction'
import {
  claimKey,
  releaseKey,
  requestHash,
  storeAnswer,
  type KeyRef,
} from '../services/idempotency/idempotency'
import { Problem, badRequest } from './problem'

export interface Outcome<T> {
  status: 200 | 201
  body: T
}

/** A keyed write: the service call, given the hook to pass its transaction, and its answer. */
export interface KeyedWrite<R, T> {
  run: (beforeCommit: BeforeCommit<R> | undefined) => Promise<R>
  answer: (result: R) => Outcome<T>
}

const VALID_KEY = /^[\x21-\x7e]{1,255}$/

/**
 * Runs a write at most once per `Idempotency-Key` header: the first request claims the key, a
 * retry with the same request replays the first answer (status and body), the same key with
 * another request is 422, and a retry while the first is still running is 409 with Retry-After.
 * The answer is stored in the write's own transaction, so a process that dies or a database that
 * goes away after the COMMIT leaves the answer to replay, never a write a retry would repeat. A
 * failed attempt releases the key so the client can try again. Without the header the work
 * simply runs. `request` is what identifies the request (its validated body, normalized).
 *
 * @example
 * const outcome = await idempotent(c, 'POST /api/things', body, {
 *   run: (beforeCommit) => createThing(db, body, beforeCommit),
 *   answer: (thing) => ({ status: 201, body: toThing(thing) }),
 * })
 */
export async function idempotent<R, T>(
  c: Context<AppEnv>,
  route: string,
  request: unknown,
  write: KeyedWrite<R, T>,
): Promise<Outcome<T> & { replayed: boolean }> {
  const key = c.req.header('Idempotency-Key')
  if (key === undefined) return { ...write.answer(await write.run(undefined)), replayed: false }
  if (!VALID_KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters.', [
      { path: 'header.idempotency-key', message: 'invalid key' },
    ])
  }
  const { db } = c.get('deps').database
  const ref: KeyRef = { userId: c.get('user').id, route, key }

  const claim = await claimKey(db, ref, requestHash(request))
  switch (claim.state) {
    case 'reused':
      throw new Problem(422, 'This Idempotency-Key was used with a different request body.', {
        type: 'idempotency-key-reused',
      })
    case 'in_progress':
      throw new Problem(409, 'A request with this Idempotency-Key is still being processed.', {
        type: 'idempotency-in-progress',
        headers: { 'Retry-After': '1' },
      })
    case 'replay':
      return { status: claim.status as 200 | 201, body: claim.body as T, replayed: true }
  }

  try {
    const result = await write.run(async (tx, result) => {
      const { status, body } = write.answer(result)
      await storeAnswer(db, tx, ref, status, body)
    })
    return { ...write.answer(result), replayed: false }
  } catch (error) {
    await releaseKey(db, ref)
    throw error
  }
}
