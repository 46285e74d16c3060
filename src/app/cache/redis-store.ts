import { randomUUID } from 'node:crypto'
import type { Redis } from '../redis'
import type { CacheStore } from './cache'

/** SCAN's MATCH is a glob; a prefix is matched literally. */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&')

/** SET the entry (KEYS[1]) only while the namespace's version (KEYS[2]) is the one read before. */
const SET_IF_CURRENT = `
if (redis.call('GET', KEYS[2]) or '0') == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0`

/**
 * Shared store: every instance behind the balancer sees the same entries and invalidations. Each
 * namespace has a version in Redis that every invalidation replaces, so a load another instance
 * began before the invalidation cannot store what it read once the invalidation is done.
 */
export function redisStore(redis: Redis): CacheStore {
  const base = `${redis.keyPrefix}cache:`
  const versionKey = (namespace: string) => `${redis.keyPrefix}cache-version:${namespace}`
  return {
    kind: 'redis',
    async get(key) {
      const value = await redis.send('GET', [base + key])
      return value ?? undefined
    },
    async set(key, value, ttlMs) {
      await redis.send('SET', [base + key, value, 'PX', String(ttlMs)])
    },
    async version(namespace) {
      return (await redis.send('GET', [versionKey(namespace)])) ?? '0'
    },
    async setIfCurrent(key, value, ttlMs, namespace, version) {
      const keys = [base + key, versionKey(namespace)]
      await redis.send('EVAL', [SET_IF_CURRENT, '2', ...keys, value, String(ttlMs), version])
    },
    async invalidate(namespace) {
      // The version first: from here on, loads that began earlier store nothing.
      await redis.send('SET', [versionKey(namespace), randomUUID()])
      const match = `${globEscape(`${base}${namespace}:`)}*`
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
