import {
  EMPTY_TALLY,
  memoryAttemptCounter,
  type AttemptCounter,
  type Tally,
} from './attempt-counter'
import type { Logger } from '../logger'
import type { Redis } from '../redis'

// One round trip; the window starts with the first attempt whatever the interleaving, and the
// server's clock stamps the attempt so every instance reads the same time.
const HIT = `local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local t = redis.call('TIME')
local at = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('HSET', KEYS[1], 'at', at)
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1]), at}`

const PEEK = `local v = redis.call('HMGET', KEYS[1], 'n', 'at')
return {v[1] or 0, redis.call('PTTL', KEYS[1]), v[2] or 0}`

const ERROR_LOG_GAP_MS = 30_000

const tallyOf = ([count, ttl, at]: [number | string, number, number | string]): Tally =>
  Number(count) > 0 && ttl > 0
    ? { count: Number(count), resetsInMs: ttl, lastAt: Number(at) }
    : EMPTY_TALLY

/**
 * The attempt counters in Redis, so every instance counts the same attempts: a hash per key
 * whose expiry is the window. While Redis cannot answer, in-process counters stand in (the
 * limits keep holding, per instance), and the outage is logged at most every 30 s.
 */
export function redisAttemptCounter(redis: Redis, options: { logger: Logger }): AttemptCounter {
  const fallback = memoryAttemptCounter()
  const keyOf = (key: string) => `${redis.keyPrefix}attempts:${key}`
  let lastErrorLogAt = -Infinity

  const orFallback = async <T>(op: () => Promise<T>, stand: () => Promise<T>): Promise<T> => {
    try {
      return await op()
    } catch (error) {
      const now = Date.now()
      if (now - lastErrorLogAt >= ERROR_LOG_GAP_MS) {
        lastErrorLogAt = now
        options.logger.warn({ err: error }, 'throttle: redis unavailable; counting in process')
      }
      return stand()
    }
  }

  return {
    peek: (key) =>
      orFallback(
        async () => tallyOf(await redis.send('EVAL', [PEEK, '1', keyOf(key)])),
        () => fallback.peek(key),
      ),
    hit: (key, windowMs) =>
      orFallback(
        async () => tallyOf(await redis.send('EVAL', [HIT, '1', keyOf(key), String(windowMs)])),
        () => fallback.hit(key, windowMs),
      ),
    clear: (key) =>
      orFallback(
        async () => void (await redis.send('DEL', [keyOf(key)])),
        () => fallback.clear(key),
      ),
  }
}
