import type { Redis } from '../redis'
import type { CacheStore } from './cache'

/** SCAN's MATCH is a glob; a prefix is matched literally. */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&')

/** Shared store: every instance behind the balancer sees the same entries and invalidations. */
export function redisStore(redis: Redis): CacheStore {
  const base = `${redis.keyPrefix}cache:`
  return {
    kind: 'redis',
    async get(key) {
      const value = await redis.send('GET', [base + key])
      return value ?? undefined
    },
    async set(key, value, ttlMs) {
      await redis.send('SET', [base + key, value, 'PX', String(ttlMs)])
    },
    async deletePrefix(prefix) {
      const match = `${globEscape(base + prefix)}*`
      let cursor = '0'
      do {
        const page = await redis.send('SCAN', [cursor, 'MATCH', match, 'COUNT', '500'])
        const [next, keys] = page as [string, string[]]
        if (keys.length > 0) await redis.send('UNLINK', keys)
        cursor = next
      } while (cursor !== '0')
    },
  }
}
