import type { Logger } from '../logger'

/**
 * Where cached values live: this process (LRU) or Redis, shared by every instance. Keys start
 * with their namespace and a colon (`venues:/api/venues?page=2`); each namespace has a version
 * that every invalidation moves on.
 */
export interface CacheStore {
  readonly kind: 'memory' | 'redis'
  get(key: string): Promise<string | undefined>
  set(key: string, value: string, ttlMs: number): Promise<void>
  /** The namespace's current version, read before loading a value to store. */
  version(namespace: string): Promise<string>
  /** Stores the value only if the namespace has not been invalidated since `version` was read. */
  setIfCurrent(
    key: string,
    value: string,
    ttlMs: number,
    namespace: string,
    version: string,
  ): Promise<void>
  /** Moves the namespace's version on, then drops its entries. */
  invalidate(namespace: string): Promise<void>
}

export interface CacheStats {
  hits: number
  misses: number
  errors: number
}

export interface LoadOptions<T> {
  /** Whether a loaded value may be kept (e.g. only successful responses). */
  cacheIf?: (value: T) => boolean
}

/**
 * A read-through cache for rarely changing reads. Keys start with a namespace and a colon
 * (`venues:...`) so writes can drop a namespace's entries with `invalidate('venues')`. Values are
 * stored as JSON: what comes back is what `JSON.parse` makes of it (no Dates).
 */
export interface Cache {
  readonly kind: 'memory' | 'redis' | 'off'
  readonly stats: CacheStats
  get<T>(key: string): Promise<T | undefined>
  set<T>(key: string, value: T): Promise<void>
  /** The cached value, or the loader's; concurrent misses of one key share one load. */
  getOrLoad<T>(key: string, loader: () => Promise<T>, options?: LoadOptions<T>): Promise<T>
  invalidate(namespace: string): Promise<void>
}

/** Values larger than this are served but not kept: one cannot crowd out the rest. */
const MAX_VALUE_BYTES = 1024 * 1024
const ERROR_LOG_GAP_MS = 30_000

/** `venues` for `venues:/api/venues`; a key without a colon is a namespace of its own. */
function namespaceOf(key: string): string {
  const colon = key.indexOf(':')
  return colon < 0 ? key : key.slice(0, colon)
}

export interface CacheOptions {
  ttlSeconds: number
  logger: Logger
}

/**
 * Builds the cache over a store. A failing store (Redis down) never fails a request: the value
 * is loaded as if uncached, and the failure is counted and logged at most every 30 s.
 */
export function createCache(store: CacheStore | undefined, options: CacheOptions): Cache {
  const stats: CacheStats = { hits: 0, misses: 0, errors: 0 }
  if (!store || options.ttlSeconds <= 0) return disabledCache(stats)
  const ttlMs = options.ttlSeconds * 1000
  const loading = new Map<string, Promise<unknown>>()
  let lastErrorLogAt = -Infinity

  const failed = (error: unknown, op: string) => {
    stats.errors++
    const now = Date.now()
    if (now - lastErrorLogAt >= ERROR_LOG_GAP_MS) {
      lastErrorLogAt = now
      const context = { err: error, op, store: store.kind }
      options.logger.warn(context, 'cache unavailable; serving uncached')
    }
  }

  const cache: Cache = {
    kind: store.kind,
    stats,
    async get<T>(key: string) {
      let raw: string | undefined
      try {
        raw = await store.get(key)
      } catch (error) {
        failed(error, 'get')
        return undefined
      }
      if (raw === undefined) {
        stats.misses++
        return undefined
      }
      stats.hits++
      return JSON.parse(raw) as T
    },
    async set<T>(key: string, value: T) {
      const raw = JSON.stringify(value)
      if (raw === undefined || raw.length > MAX_VALUE_BYTES) return
      try {
        await store.set(key, raw, ttlMs)
      } catch (error) {
        failed(error, 'set')
      }
    },
    async getOrLoad<T>(key: string, loader: () => Promise<T>, load: LoadOptions<T> = {}) {
      const cached = await cache.get<T>(key)
      if (cached !== undefined) return cached
      const pending = loading.get(key)
      if (pending) return pending as Promise<T>
      const namespace = namespaceOf(key)
      const promise = (async () => {
        // Read before loading: a load that began before an invalidation, on this instance or
        // another, must not store what it read.
        let version: string | undefined
        try {
          version = await store.version(namespace)
        } catch (error) {
          failed(error, 'version')
        }
        const value = await loader()
        if (version === undefined || !(load.cacheIf?.(value) ?? true)) return value
        const raw = JSON.stringify(value)
        if (raw === undefined || raw.length > MAX_VALUE_BYTES) return value
        try {
          await store.setIfCurrent(key, raw, ttlMs, namespace, version)
        } catch (error) {
          failed(error, 'set')
        }
        return value
      })().finally(() => {
        if (loading.get(key) === promise) loading.delete(key)
      })
      loading.set(key, promise)
      return promise
    },
    async invalidate(namespace: string) {
      const prefix = `${namespace}:`
      for (const key of loading.keys()) if (key.startsWith(prefix)) loading.delete(key)
      try {
        await store.invalidate(namespace)
      } catch (error) {
        failed(error, 'invalidate')
      }
    },
  }
  return cache
}

function disabledCache(stats: CacheStats): Cache {
  return {
    kind: 'off',
    stats,
    get: async () => undefined,
    set: async () => {},
    getOrLoad: (_key, loader) => loader(),
    invalidate: async () => {},
  }
}
