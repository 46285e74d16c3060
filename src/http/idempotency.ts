import type { Context } from 'hono'
import type { AppEnv } from '../app/context'
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

const VALID_KEY = /^[\x21-\x7e]{1,255}$/

/**
 * Runs a write at most once per `Idempotency-Key` header: the first request claims the key, a
 * retry with the same request replays the first answer (status and body), the same key with
 * another request is 422, and a retry while the first is still running is 409 with Retry-After.
 * A failed attempt releases the key so the client can try again. Without the header the work
 * simply runs. `request` is what identifies the request (its validated body, normalized).
 *
 * @example
 * const outcome = await idempotent(c, 'POST /api/things', body, async () => ({
 *   status: 201,
 *   body: await createThing(db, body),
 * }))
 */
export async function idempotent<T>(
  c: Context<AppEnv>,
  route: string,
  request: unknown,
  run: () => Promise<Outcome<T>>,
): Promise<Outcome<T> & { replayed: boolean }> {
  const key = c.req.header('Idempotency-Key')
  if (key === undefined) return { ...(await run()), replayed: false }
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
    const outcome = await run()
    await storeAnswer(db, ref, outcome.status, outcome.body)
    return { ...outcome, replayed: false }
  } catch (error) {
    await releaseKey(db, ref)
    throw error
  }
}
