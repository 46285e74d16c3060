import { afterAll, describe, expect, test } from 'bun:test'
import { redisLoginThrottle } from '../../src/lib/redis-login-throttle'
import { createLogger } from '../../src/lib/logger'
import { openRedis } from '../../src/lib/redis'
import { testApp, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers } from '../support/users'
import { dropKeys, keysUnder, redisAvailable, redisSettings } from './redis'

const redisUp = await redisAvailable()
const apps: TestApp[] = []
const userIds: number[] = []
const prefixes: string[] = []

afterAll(async () => {
  for (const t of apps) await t.deps.close()
  if (apps[0]) await removeUsers(apps[0], userIds)
  for (const prefix of prefixes) await dropKeys(prefix)
})

async function instance(settings: Record<string, string>) {
  const t = await testApp(settings)
  apps.push(t)
  return t
}

const login = (t: TestApp, email: string, password: string) =>
  t.app.request('/api/auth/login', jsonInit('POST', { email, password }))

describe.skipIf(!redisUp)('login throttle in Redis (REDIS_URL set)', () => {
  test('failures on one instance count on the other: the sixth attempt is 429', async () => {
    const settings = redisSettings()
    prefixes.push(settings.REDIS_KEY_PREFIX)
    const a = await instance(settings)
    const b = await instance(settings)
    const user = await makeUser(a)
    userIds.push(user.id)

    for (const t of [a, b, a, b, a]) {
      expect((await login(t, user.email, 'wrong password')).status).toBe(401)
    }
    const limited = await login(b, user.email, 'wrong password')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800)
    // Even the right password waits for the window to end.
    expect((await login(a, user.email, user.password)).status).toBe(429)
    const keys = await keysUnder(settings.REDIS_KEY_PREFIX)
    expect(keys.some((k) => k.includes('login-failures:') && k.includes(user.email))).toBe(true)
  })

  test('a successful login clears the count for every instance', async () => {
    const settings = redisSettings()
    prefixes.push(settings.REDIS_KEY_PREFIX)
    const a = await instance(settings)
    const b = await instance(settings)
    const user = await makeUser(a)
    userIds.push(user.id)
    for (let i = 0; i < 4; i++) await login(a, user.email, 'wrong password')
    expect((await login(b, user.email, user.password)).status).toBe(200)
    for (let i = 0; i < 4; i++) {
      expect((await login(a, user.email, 'wrong password')).status).toBe(401)
    }
    expect((await login(b, user.email, 'wrong password')).status).toBe(401)
  })
})

describe('login throttle while Redis is down', () => {
  test('counts in process instead, so logins still work and are still limited', async () => {
    const redis = openRedis('redis://127.0.0.1:1', 'nowhere:', 200)
    try {
      const throttle = redisLoginThrottle(redis, { logger: createLogger('silent'), maxFailures: 2 })
      expect(await throttle.check('k')).toEqual({ allowed: true, retryAfterSeconds: 0 })
      await throttle.fail('k')
      await throttle.fail('k')
      expect((await throttle.check('k')).allowed).toBe(false)
      await throttle.reset('k')
      expect((await throttle.check('k')).allowed).toBe(true)
    } finally {
      redis.close()
    }
  })
})
