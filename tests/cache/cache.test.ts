import { afterAll, describe, expect, test } from 'bun:test'
import { createCache, type Cache } from '../../src/app/cache/cache'
import { memoryStore } from '../../src/app/cache/memory-store'
import { redisStore } from '../../src/app/cache/redis-store'
import { createLogger } from '../../src/app/logger'
import { openRedis, type Redis } from '../../src/app/redis'
import { dropKeys, redisAvailable, redisSettings, REDIS_URL } from './redis'

const redisUp = await redisAvailable()
const logger = createLogger('silent')
const clients: Redis[] = []
const prefixes: string[] = []

/** A loader that waits to be released, and a promise of the moment it starts reading. */
function heldLoader<T>(value: T) {
  let release!: () => void
  let started!: () => void
  const running = new Promise<void>((resolve) => (started = resolve))
  const load = async () => {
    started()
    await new Promise<void>((resolve) => (release = resolve))
    return value
  }
  return { load, running, release: () => release() }
}

afterAll(async () => {
  for (const client of clients) client.close()
  for (const prefix of prefixes) await dropKeys(prefix)
})

function redisCache(ttlSeconds = 60, keyPrefix = redisSettings().REDIS_KEY_PREFIX): Cache {
  prefixes.push(keyPrefix)
  const redis = openRedis(REDIS_URL, keyPrefix)
  clients.push(redis)
  return createCache(redisStore(redis), { ttlSeconds, logger })
}

const stores = [
  ['in process', () => createCache(memoryStore(), { ttlSeconds: 60, logger }), true],
  ['in Redis', () => redisCache(), redisUp],
] as const

for (const [where, make, available] of stores) {
  describe.skipIf(!available)(`cache ${where}`, () => {
    test('getOrLoad loads once, then answers from the cache', async () => {
      const cache = make()
      let loads = 0
      const load = async () => ({ n: ++loads, at: 'x' })
      expect(await cache.getOrLoad('items:a', load)).toEqual({ n: 1, at: 'x' })
      expect(await cache.getOrLoad('items:a', load)).toEqual({ n: 1, at: 'x' })
      expect(loads).toBe(1)
    })

    test('concurrent misses of one key share a single load', async () => {
      const cache = make()
      let loads = 0
      const load = async () => {
        loads++
        await Bun.sleep(30)
        return loads
      }
      const values = await Promise.all(
        Array.from({ length: 10 }, () => cache.getOrLoad('k:1', load)),
      )
      expect(values).toEqual(Array(10).fill(1))
      expect(loads).toBe(1)
    })

    test('invalidate(namespace) drops that namespace only', async () => {
      const cache = make()
      await cache.set('venues:/a', 1)
      await cache.set('venues:/b?x=1', 2)
      await cache.set('items:/a', 3)
      await cache.invalidate('venues')
      expect(await cache.get('venues:/a')).toBeUndefined()
      expect(await cache.get('venues:/b?x=1')).toBeUndefined()
      expect(await cache.get('items:/a')).toBe(3)
    })

    test('a load that began before an invalidation does not store what it read', async () => {
      const cache = make()
      const held = heldLoader('stale')
      const slow = cache.getOrLoad('venues:/list', held.load)
      await held.running
      await cache.invalidate('venues')
      held.release()
      expect(await slow).toBe('stale')
      expect(await cache.getOrLoad('venues:/list', async () => 'fresh')).toBe('fresh')
    })

    test('cacheIf keeps only the values it accepts; loader errors are not cached', async () => {
      const cache = make()
      const opts = { cacheIf: (v: { status: number }) => v.status === 200 }
      await cache.getOrLoad('p:1', async () => ({ status: 404 }), opts)
      expect(await cache.get('p:1')).toBeUndefined()
      const failing = cache.getOrLoad('p:2', async () => Promise.reject(new Error('db down')))
      expect(failing).rejects.toThrow('db down')
      await failing.catch(() => {})
      expect(await cache.getOrLoad('p:2', async () => 'ok')).toBe('ok')
    })

    test('entries expire after the TTL', async () => {
      const cache =
        where === 'in Redis' ? redisCache(1) : createCache(memoryStore(), { ttlSeconds: 1, logger })
      await cache.set('t:1', 'v')
      expect(await cache.get('t:1')).toBe('v')
      await Bun.sleep(1100)
      expect(await cache.get('t:1')).toBeUndefined()
    })
  })
}

describe.skipIf(!redisUp)('cache in Redis, shared by two instances', () => {
  test('a load another instance began before an invalidation stores nothing', async () => {
    const { REDIS_KEY_PREFIX } = redisSettings()
    const [one, two] = [redisCache(60, REDIS_KEY_PREFIX), redisCache(60, REDIS_KEY_PREFIX)]
    const held = heldLoader({ enrolled: 4 })
    const slow = two.getOrLoad('programs:/api/programs/3', held.load)
    await held.running
    await one.invalidate('programs')
    held.release()
    expect(await slow).toEqual({ enrolled: 4 })
    expect(await one.get('programs:/api/programs/3')).toBeUndefined()
    const fresh = await one.getOrLoad('programs:/api/programs/3', async () => ({ enrolled: 3 }))
    expect(fresh).toEqual({ enrolled: 3 })
    expect(await two.get('programs:/api/programs/3')).toEqual({ enrolled: 3 })
  })
})

describe('cache without its Redis', () => {
  test('a Redis that does not answer makes reads uncached, not failed', async () => {
    const redis = openRedis('redis://127.0.0.1:1', 'nowhere:', 200)
    clients.push(redis)
    const cache = createCache(redisStore(redis), { ttlSeconds: 60, logger })
    const value = await cache.getOrLoad('venues:/x', async () => 'from the database')
    expect(value).toBe('from the database')
    await cache.invalidate('venues')
    expect(cache.stats.errors).toBeGreaterThanOrEqual(2)
  })

  test('the in-process store is bounded in size', async () => {
    const cache = createCache(memoryStore({ maxBytes: 10_000 }), { ttlSeconds: 60, logger })
    for (let i = 0; i < 100; i++) await cache.set(`k:${i}`, 'x'.repeat(500))
    let kept = 0
    for (let i = 0; i < 100; i++) if ((await cache.get(`k:${i}`)) !== undefined) kept++
    expect(kept).toBeLessThanOrEqual(20)
    expect(await cache.get('k:99')).toBe('x'.repeat(500))
  })
})
