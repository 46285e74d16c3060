import { LRUCache } from 'lru-cache'
import type { CacheStore } from './cache'

/** In-process store, bounded by total size (string length) as well as by entry count. */
export function memoryStore(options: { maxBytes?: number; maxEntries?: number } = {}): CacheStore {
  const entries = new LRUCache<string, string>({
    max: options.maxEntries ?? 10_000,
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (value, key) => value.length + key.length,
  })
  return {
    kind: 'memory',
    async get(key) {
      return entries.get(key)
    },
    async set(key, value, ttlMs) {
      entries.set(key, value, { ttl: ttlMs })
    },
    async deletePrefix(prefix) {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key)
    },
  }
}
