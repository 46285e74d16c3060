import { LRUCache } from 'lru-cache'

export interface ThrottleVerdict {
  allowed: boolean
  retryAfterSeconds: number
}

/** Counts failed logins per key (email + client address) inside a window. */
export interface LoginThrottle {
  check(key: string): Promise<ThrottleVerdict>
  fail(key: string): Promise<void>
  reset(key: string): Promise<void>
}

interface Entry {
  failures: number
  windowEndsAt: number
}

/** In-process throttle: a bounded LRU, so a flood of distinct keys cannot grow memory. */
export function memoryLoginThrottle(
  options: { maxFailures?: number; windowSeconds?: number; now?: () => number } = {},
): LoginThrottle {
  const maxFailures = options.maxFailures ?? 5
  const windowMs = (options.windowSeconds ?? 900) * 1000
  const now = options.now ?? Date.now
  const entries = new LRUCache<string, Entry>({ max: 50_000, ttl: windowMs })
  return {
    async check(key) {
      const entry = entries.get(key)
      if (!entry || entry.failures < maxFailures || entry.windowEndsAt <= now()) {
        return { allowed: true, retryAfterSeconds: 0 }
      }
      return { allowed: false, retryAfterSeconds: Math.ceil((entry.windowEndsAt - now()) / 1000) }
    },
    async fail(key) {
      const entry = entries.get(key)
      if (!entry || entry.windowEndsAt <= now()) {
        entries.set(key, { failures: 1, windowEndsAt: now() + windowMs })
      } else {
        entry.failures++
      }
    },
    async reset(key) {
      entries.delete(key)
    },
  }
}
