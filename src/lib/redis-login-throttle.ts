import type { Logger } from './logger'
import { memoryLoginThrottle, type LoginThrottle } from './login-throttle'
import type { Redis } from './redis'

// One round trip, and the window starts with the first failure whatever the interleaving.
const FAIL = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

const ERROR_LOG_GAP_MS = 30_000

interface RedisThrottleOptions {
  maxFailures?: number
  windowSeconds?: number
  logger: Logger
}

/**
 * The login throttle in Redis, so every instance counts the same failures: a counter per key
 * whose expiry is the window. Same rule as the in-memory one: `maxFailures` failures inside
 * `windowSeconds` refuse further attempts until the window ends. While Redis cannot answer, an
 * in-process throttle stands in (logins keep working, still limited per instance).
 */
export function redisLoginThrottle(redis: Redis, options: RedisThrottleOptions): LoginThrottle {
  const maxFailures = options.maxFailures ?? 5
  const windowSeconds = options.windowSeconds ?? 900
  const windowMs = windowSeconds * 1000
  const fallback = memoryLoginThrottle({ maxFailures, windowSeconds })
  const keyOf = (key: string) => `${redis.keyPrefix}login-failures:${key}`
  let lastErrorLogAt = -Infinity

  const orFallback = async <T>(op: () => Promise<T>, stand: () => Promise<T>): Promise<T> => {
    try {
      return await op()
    } catch (error) {
      const now = Date.now()
      if (now - lastErrorLogAt >= ERROR_LOG_GAP_MS) {
        lastErrorLogAt = now
        const message = 'login throttle: redis unavailable; counting in process'
        options.logger.warn({ err: error }, message)
      }
      return stand()
    }
  }

  return {
    check: (key) =>
      orFallback(
        async () => {
          const k = keyOf(key)
          const [count, ttl] = (await Promise.all([
            redis.send('GET', [k]),
            redis.send('PTTL', [k]),
          ])) as [string | null, number]
          if (count === null || Number(count) < maxFailures || ttl <= 0) {
            return { allowed: true, retryAfterSeconds: 0 }
          }
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) }
        },
        () => fallback.check(key),
      ),
    fail: (key) =>
      orFallback(
        async () => {
          await redis.send('EVAL', [FAIL, '1', keyOf(key), String(windowMs)])
        },
        () => fallback.fail(key),
      ),
    reset: (key) =>
      orFallback(
        async () => {
          await redis.send('DEL', [keyOf(key)])
        },
        () => fallback.reset(key),
      ),
  }
}
