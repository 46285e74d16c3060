import { randomBytes } from 'node:crypto'
import type { Database } from '../db/client'
import type { Env } from '../env'
import type { Deps } from './context'
import { createLogger } from './logger'
import { memoryLoginThrottle } from './login-throttle'

/** Assembles a service's parts from its settings; the server and the tests both come through here. */
export function createDeps(env: Env, database: Database, overrides: Partial<Deps> = {}): Deps {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL)
  let jwtSecret = env.JWT_SECRET
  if (!jwtSecret) {
    jwtSecret = randomBytes(32).toString('hex')
    logger.warn('JWT_SECRET is not set: using a random secret, tokens end with this process')
  }
  return {
    env,
    database,
    logger,
    startedAt: Date.now(),
    jwtSecret,
    loginThrottle: memoryLoginThrottle(),
    ...overrides,
  }
}
