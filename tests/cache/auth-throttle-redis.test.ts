import { afterAll, describe, expect, test } from 'bun:test'
import { authThrottle } from '../../src/app/throttle/auth-throttle'
import { createLogger } from '../../src/app/logger'
import { openRedis } from '../../src/app/redis'
import { redisAttemptCounter } from '../../src/app/throttle/redis-attempt-counter'
import { testApp, type TestApp } from '../support/app'
import { freshAddress, fromAddress, jsonInit, makeUser, removeUsers } from '../support/users'
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

/** Two instances sharing one Redis key prefix, as two replicas behind a balancer. */
async function twoInstances() {
  const settings = redisSettings()
  prefixes.push(settings.REDIS_KEY_PREFIX)
  return { settings, a: await instance(settings), b: await instance(settings) }
}

/** Two such instances and a user made through the first. */
async function twoInstancesAndUser() {
  const pair = await twoInstances()
  const user = await makeUser(pair.a)
  userIds.push(user.id)
  return { ...pair, user }
}

const login = (t: TestApp, email: string, password: string, address: string) =>
  t.app.request('/api/auth/login', jsonInit('POST', { email, password }), fromAddress(address))

const register = (t: TestApp, address: string) =>
  t.app.request(
    '/api/auth/register',
    jsonInit('POST', {
      email: `r-${crypto.randomUUID()}@example.com`,
      password: 'long enough',
      name: 'R',
    }),
    fromAddress(address),
  )

describe.skipIf(!redisUp)('throttles in Redis (REDIS_URL set)', () => {
  test('failures on one instance count on the other: the sixth from there is 429', async () => {
    const { settings, a, b, user } = await twoInstancesAndUser()
    const attacker = freshAddress()

    for (const t of [a, b, a, b, a]) {
      expect((await login(t, user.email, 'wrong password', attacker)).status).toBe(401)
    }
    const limited = await login(b, user.email, 'wrong password', attacker)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800)
    // The owner, elsewhere, is not locked out by it.
    expect((await login(a, user.email, user.password, freshAddress())).status).toBe(200)
    const keys = await keysUnder(settings.REDIS_KEY_PREFIX)
    const pairKey = (k: string) =>
      k.includes('attempts:login:failures:pair:') && k.includes(user.email)
    expect(keys.some(pairKey)).toBe(true)
  })

  test('a successful login clears its address’s count for every instance', async () => {
    const { a, b, user } = await twoInstancesAndUser()
    const address = freshAddress()
    for (let i = 0; i < 4; i++) await login(a, user.email, 'wrong password', address)
    expect((await login(b, user.email, user.password, address)).status).toBe(200)
    for (let i = 0; i < 4; i++) {
      expect((await login(a, user.email, 'wrong password', address)).status).toBe(401)
    }
    expect((await login(b, user.email, 'wrong password', address)).status).toBe(401)
  })

  test('registrations from one address are counted across instances', async () => {
    const { a, b } = await twoInstances()
    const address = freshAddress()
    const allowed = a.deps.authThrottle.limits.registrationsPerAddress
    const statuses: number[] = []
    for (let i = 0; i < allowed + 2; i++) {
      statuses.push((await register(i % 2 ? a : b, address)).status)
    }
    expect(statuses).toEqual([...Array(allowed).fill(202), 429, 429])
  })
})

describe('throttles while Redis is down', () => {
  test('count in process instead, so logins still work and are still limited', async () => {
    const redis = openRedis('redis://127.0.0.1:1', 'nowhere:', 200)
    try {
      const counter = redisAttemptCounter(redis, { logger: createLogger('silent') })
      const throttle = authThrottle(counter)
      await throttle.beforeCheck('login', 'k@example.com', '10.9.9.9')
      for (let i = 0; i < 5; i++) await throttle.failed('login', 'k@example.com', '10.9.9.9')
      const refused = await throttle
        .beforeCheck('login', 'k@example.com', '10.9.9.9')
        .catch((error: unknown) => error)
      expect(refused).toMatchObject({ status: 429 })
      await throttle.succeeded('login', 'k@example.com', '10.9.9.9')
      await throttle.beforeCheck('login', 'k@example.com', '10.9.9.9')
    } finally {
      redis.close()
    }
  })
})
