import { growingLru } from '../../lib/lru'
import type { Logger } from '../logger'
import type { Redis } from '../redis'
import type { AuthState } from '../../services/users/account'

export type { AuthState }


/** Loads a user's state from the database; null when the account no longer exists. */
export type AuthStateLoader = (id: number) => Promise<AuthState | null>

/**
 * Each user's auth state, kept for a few seconds so a burst of requests costs one lookup, and
 * dropped at once when this service changes it (logout, password change). A change made in the
 * database directly (an admin demoted or deleted by hand) is seen once the entry expires.
 */
export interface AuthStates {
  readonly kind: 'memory' | 'redis' | 'off'
  /** A cached state is returned as it is (no promise, no copy); a miss is loaded once. */
  get(id: number): AuthState | null | Promise<AuthState | null>
  drop(id: number): Promise<void>
}

export interface AuthStatesOptions {
  load: AuthStateLoader
  /** 0 reads the database on every request. */
  ttlSeconds: number
  /** With REDIS_URL the entries live in Redis, so every instance sees a drop at once. */
  redis?: Redis
  logger: Logger
}

const MAX_ENTRIES = 50_000
const ERROR_LOG_GAP_MS = 30_000
/** lru-cache keeps no null values: a deleted account is cached as this. */
const GONE = { id: 0, role: 'user', tokenVersion: -1 } as const satisfies AuthState

export function createAuthStates(options: AuthStatesOptions): AuthStates {
  const { load, ttlSeconds } = options
  if (ttlSeconds <= 0) return { kind: 'off', get: load, drop: async () => {} }
  return options.redis
    ? redisAuthStates(options.redis, load, ttlSeconds * 1000, options.logger)
    : memoryAuthStates(load, ttlSeconds * 1000)
}

function memoryAuthStates(load: AuthStateLoader, ttlMs: number): AuthStates {
  const entries = growingLru<number, AuthState>(MAX_ENTRIES, { ttl: ttlMs })
  const loading = new Map<number, Promise<AuthState | null>>()
  // A load that began before a drop must not store what it read: it may be the revoked version.
  let drops = 0
  return {
    kind: 'memory',
    get(id) {
      const cached = entries.get(id)
      if (cached !== undefined) return cached === GONE ? null : cached
      const pending = loading.get(id)
      if (pending) return pending
      const startedAt = drops
      const promise = load(id)
        .then((state) => {
          if (drops === startedAt) entries.set(id, state ?? GONE)
          return state
        })
        .finally(() => {
          if (loading.get(id) === promise) loading.delete(id)
        })
      loading.set(id, promise)
      return promise
    },
    async drop(id) {
      drops++
      loading.delete(id)
      entries.delete(id)
    },
  }
}

/** `role:version`, or `-` for an account that is gone. */
const encode = (state: AuthState | null) => (state ? `${state.role}:${state.tokenVersion}` : '-')

function decode(id: number, raw: string): AuthState | null | undefined {
  if (raw === '-') return null
  const [role, version] = raw.split(':')
  const tokenVersion = Number(version)
  if ((role !== 'user' && role !== 'admin') || !Number.isSafeInteger(tokenVersion)) return undefined
  return { id, role, tokenVersion }
}

/** A Redis that fails is read around: the database answers, and the failure is logged sparsely. */
function redisAuthStates(
  redis: Redis,
  load: AuthStateLoader,
  ttlMs: number,
  logger: Logger,
): AuthStates {
  const key = (id: number) => `${redis.keyPrefix}auth:${id}`
  let lastErrorLogAt = -Infinity
  const failed = (error: unknown, op: string) => {
    const now = Date.now()
    if (now - lastErrorLogAt < ERROR_LOG_GAP_MS) return
    lastErrorLogAt = now
    const context = { err: error, op, store: 'redis' }
    logger.warn(context, 'auth state cache unavailable; reading the database')
  }
  let drops = 0
  return {
    kind: 'redis',
    async get(id) {
      try {
        const raw: string | null = await redis.send('GET', [key(id)])
        const cached = raw === null ? undefined : decode(id, raw)
        if (cached !== undefined) return cached
      } catch (error) {
        failed(error, 'get')
      }
      const startedAt = drops
      const state = await load(id)
      if (drops === startedAt) {
        await redis.send('SET', [key(id), encode(state), 'PX', String(ttlMs)]).catch((error) => {
          failed(error, 'set')
        })
      }
      return state
    },
    async drop(id) {
      drops++
      try {
        await redis.send('DEL', [key(id)])
      } catch (error) {
        // The entry then lives out its few seconds; the database already holds the change.
        failed(error, 'drop')
      }
    },
  }
}
