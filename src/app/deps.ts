import { randomBytes } from 'node:crypto'
import type { Database } from '../db/client'
import type { Env } from '../env'
import { loadAuthState } from '../services/users/sessions'
import { memoryAttemptCounter } from './throttle/attempt-counter'
import { AUTH_LIMITS, authThrottle } from './throttle/auth-throttle'
import { createAuthStates } from './cache/auth-states'
import { createCache } from './cache/cache'
import { memoryStore } from './cache/memory-store'
import { redisStore } from './cache/redis-store'
import type { Deps } from './context'
import { developmentSecret } from './development-secret'
import { createLogger } from './logger'
import { BodyBudget, bodyBudgetBytes } from './memory/body-budget'
import { detectMemoryLimit } from './memory/limit'
import { MemoryMonitor } from './memory/monitor'
import { createMetrics } from './metrics'
import { openRedis, type Redis } from './redis'
import { redisAttemptCounter } from './throttle/redis-attempt-counter'
import { StatusHistory } from './status-history'

/** Assembles a service's parts from its settings; the server and the tests both use it. */
export function createDeps(env: Env, database: Database, overrides: Partial<Deps> = {}): Deps {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL)
  let jwtSecret = env.JWT_SECRET
  if (!jwtSecret && env.NODE_ENV === 'development') {
    const kept = developmentSecret(env.DATA_DIR)
    jwtSecret = kept.secret
    logger.warn(
      { path: kept.path },
      'JWT_SECRET is not set: signing tokens with the development secret kept here',
    )
  } else if (!jwtSecret) {
    jwtSecret = randomBytes(32).toString('hex')
    logger.warn('JWT_SECRET is not set: using a random secret, tokens end with this process')
  }
  const memory =
    overrides.memory ??
    new MemoryMonitor({
      limit: detectMemoryLimit({ limitMb: env.MEMORY_LIMIT_MB }),
      thresholdPercent: env.MEMORY_THRESHOLD_PERCENT,
      criticalPercent: env.MEMORY_CRITICAL_PERCENT,
      intervalMs: env.MEMORY_CHECK_INTERVAL_MS,
      logger,
    })
  // With REDIS_URL, instances share the cache and the throttles' counts; else each keeps its own.
  let redis: Redis | undefined
  if (env.REDIS_URL && !(overrides.cache && overrides.authThrottle && overrides.authStates)) {
    redis = openRedis(env.REDIS_URL, env.REDIS_KEY_PREFIX)
  }
  const cache =
    overrides.cache ??
    createCache(redis ? redisStore(redis) : memoryStore(), {
      ttlSeconds: env.CACHE_TTL_SECONDS,
      logger,
    })
  const throttle =
    overrides.authThrottle ??
    authThrottle(redis ? redisAttemptCounter(redis, { logger }) : memoryAttemptCounter(), {
      ...AUTH_LIMITS,
      registrationsPerAddress: env.REGISTRATIONS_PER_ADDRESS_PER_HOUR,
      attemptsPerAddressPerMinute: env.LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE,
    })
  const authStates =
    overrides.authStates ??
    createAuthStates({
      load: (id) => loadAuthState(database.db, id),
      ttlSeconds: env.AUTH_STATE_TTL_SECONDS,
      redis,
      logger,
    })
  const metrics = overrides.metrics ?? createMetrics({ memory, database, cache })
  const history = overrides.history ?? new StatusHistory(memory, metrics.recent)
  return {
    env,
    database,
    logger,
    startedAt: Date.now(),
    jwtSecret,
    memory,
    bodyBudget: new BodyBudget(bodyBudgetBytes(memory.limit.bytes, env.BODY_BUDGET_MB)),
    cache,
    authThrottle: throttle,
    authStates,
    metrics,
    history,
    shutdown: new AbortController().signal,
    async close() {
      memory.stop()
      history.stop()
      redis?.close()
    },
    ...overrides,
  }
}
