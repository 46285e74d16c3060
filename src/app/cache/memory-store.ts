import { LRUCache } from 'lru-cache'
import type { CacheStore } from './cache'

/**
 * What an entry holds beyond its two strings (its slots in the cache's arrays and index, the
 * strings' headers), counted with them: many tiny entries cannot outgrow the bound either.
 */
const ENTRY_BYTES = 128

/**
 * In-process store, bounded by what its entries hold. A bound on bytes alone, not also on entries
 * through lru-cache's `max`, which would allocate every entry's slots at start-up.
 */
export function memoryStore(options: { maxBytes?: number } = {}): CacheStore {
  const entries = new LRUCache<string, string>({
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (value, key) => value.length + key.length + ENTRY_BYTES,
  })
  const versions = new Map<string, number>()
  const versionOf = (namespace: string) => String(versions.get(namespace) ?? 0)
  return {
    kind: 'memory',
    async get(key) {
      return entries.get(key)
    },
    async set(key, value, ttlMs) {
      entries.set(key, value, { ttl: ttlMs })
    },
    async version(namespace) {
      return versionOf(namespace)
    },
    async setIfCurrent(key, value, ttlMs, namespace, version) {
      if (versionOf(namespace) === version) entries.set(key, value, { ttl: ttlMs })
    },
    async invalidate(namespace) {
      versions.set(namespace, (versions.get(namespace) ?? 0) + 1)
      const prefix = `${namespace}:`
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key)
    },
  }
}
