import { LRUCache } from 'lru-cache'

type Options<K extends {}, V extends {}> = Omit<
  LRUCache.Options<K, V, unknown>,
  'max' | 'maxSize' | 'sizeCalculation'
>

/**
 * An LRU cache of at most `maxEntries` entries whose storage grows as entries come. Given `max`,
 * lru-cache allocates its arrays for that many entries at construction: the service's caches and
 * throttles held 5 MB of empty slots from start-up (a sixth of its idle heap), which every full
 * collection visited again. Counted through `maxSize` with each entry of size 1, the bound is the
 * same and only what is used is allocated.
 *
 * @example
 * const recent = growingLru<string, Entry>(100_000, { ttlAutopurge: false })
 */
export function growingLru<K extends {}, V extends {}>(
  maxEntries: number,
  options: Options<K, V> = {},
): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: maxEntries, sizeCalculation: () => 1 })
}
