import { growingLru } from '../../lib/lru'

/** Attempts counted for one key inside its current window. */
export interface Tally {
  count: number
  /** Milliseconds until the window ends and the count starts again from zero (0: no window). */
  resetsInMs: number
  /** When the last attempt was counted (epoch ms; 0 when none). */
  lastAt: number
}

export const EMPTY_TALLY: Tally = { count: 0, resetsInMs: 0, lastAt: 0 }

/**
 * Fixed-window counters behind every throttle (lib/auth-throttle.ts). A window opens with the
 * first attempt of a key and lasts `windowMs`; the key is forgotten when it ends.
 */
export interface AttemptCounter {
  peek(key: string): Promise<Tally>
  /** Counts one attempt and answers the tally including it. */
  hit(key: string, windowMs: number): Promise<Tally>
  clear(key: string): Promise<void>
}

interface Entry {
  count: number
  endsAt: number
  lastAt: number
}

/** Keys kept at most: a flood of distinct addresses or emails evicts the oldest, never grows. */
export const MAX_COUNTED_KEYS = 100_000

/** In-process counters: a bounded LRU whose entries expire with their window. */
export function memoryAttemptCounter(options: { now?: () => number } = {}): AttemptCounter {
  const now = options.now ?? Date.now
  const entries = growingLru<string, Entry>(MAX_COUNTED_KEYS, { ttlAutopurge: false })
  const live = (key: string) => {
    const entry = entries.get(key)
    if (entry && entry.endsAt > now()) return entry
    if (entry) entries.delete(key)
    return undefined
  }
  const tally = (e: Entry | undefined): Tally =>
    e ? { count: e.count, resetsInMs: e.endsAt - now(), lastAt: e.lastAt } : EMPTY_TALLY
  return {
    async peek(key) {
      return tally(live(key))
    },
    async hit(key, windowMs) {
      const at = now()
      let entry = live(key)
      if (entry) {
        entry.count++
        entry.lastAt = at
      } else {
        entry = { count: 1, endsAt: at + windowMs, lastAt: at }
        entries.set(key, entry, { ttl: windowMs })
      }
      return tally(entry)
    },
    async clear(key) {
      entries.delete(key)
    },
  }
}
