import { LRUCache } from 'lru-cache'
import type { CacheStore } from './cache'

/** In-process store, bounded by total size (string length) as well as by entry count. */
export function memoryStore(options: { maxBytes?: number; maxEntries?: number } = {}): CacheStore {
  const entries = new LRUCache<string, string>({
    max: options.maxEntries ?? 10_000,
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (value, key) => value.length + key.length,
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
