import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { like } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { testApp, uniq, type TestApp } from '../support/app'
import { BULK_PASSWORD, insertUsers } from '../support/bulk-users'
import {
  freshAddress,
  fromAddress,
  jsonInit,
  makeUser,
  removeUsers,
  type TestUser,
} from '../support/users'

let t: TestApp
const made: number[] = []
const tag = `throttle-${uniq()}`

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  const registered = await t.database.db
    .select({ id: users.id })
    .from(users)
    .where(like(users.email, `${tag}%`))
  await removeUsers(t, [...made, ...registered.map((r) => r.id)])
})

const user = async () => {
  const u = await makeUser(t)
  made.push(u.id)
  return u
}

const login = (email: string, password: string, address: string) =>
  t.app.request('/api/auth/login', jsonInit('POST', { email, password }), fromAddress(address))

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {})

describe('login throttles', () => {
  test('password spraying from one address: 20 guesses are checked, the rest get 429', async () => {
    const accounts = await insertUsers(t, 46)
    made.push(...accounts.map((a) => a.id))
    const sprayer = freshAddress()
    const statuses: number[] = []
    for (const guess of ['Summer2026!', 'Password123']) {
      for (const account of accounts) {
        statuses.push((await login(account.email, guess, sprayer)).status)
      }
    }
    const { failuresPerAddress } = t.deps.authThrottle.limits
    expect(tally(statuses)).toEqual({ 401: failuresPerAddress, 429: 92 - failuresPerAddress })
    // The accounts' owners are not touched by it.
    expect((await login(accounts[0]!.email, BULK_PASSWORD, freshAddress())).status).toBe(200)
  }, 120_000)

  test('an account attacked from many addresses slows its guessers, never its owner', async () => {
    const owner: TestUser = await user()
    // One failure from each of twelve addresses: none near its own limit, the account past ten.
    const attackers = Array.from({ length: 12 }, () => freshAddress())
    for (const address of attackers) {
      expect((await login(owner.email, `guess from ${address}`, address)).status).toBe(401)
    }
    const slowed = await login(owner.email, 'one more guess', attackers[0]!)
    expect(slowed.status).toBe(429)
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0)
    // From an address that has not guessed wrong, the owner gets in at once.
    expect((await login(owner.email, owner.password, freshAddress())).status).toBe(200)
    // Even a mistyped password from there is checked (401), not refused.
    expect((await login(owner.email, 'typo', freshAddress())).status).toBe(401)
  }, 120_000)

  test('a flood of logins from one address is refused before any hashing, with 429', async () => {
    const victim = await user()
    const address = freshAddress()
    const flood = await Promise.all(
      Array.from({ length: 100 }, () => login(victim.email, 'wrong', address)),
    )
    const statuses = tally(flood.map((r) => r.status))
    const { attemptsPerAddressPerMinute } = t.deps.authThrottle.limits
    expect(statuses[429]).toBeGreaterThanOrEqual(100 - attemptsPerAddressPerMinute)
    expect(statuses[503]).toBeUndefined()
  }, 120_000)
})

describe('IPv6 clients', () => {
  test('addresses of one /64 count as one client; the next /64 is another', async () => {
    const owner = await user()
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}`
    for (let host = 1; host <= 5; host++) {
      expect((await login(owner.email, 'wrong', `${net}:7::${host}`)).status).toBe(401)
    }
    expect((await login(owner.email, owner.password, `${net}:7:0:ab:cd:ef:99`)).status).toBe(429)
    expect((await login(owner.email, owner.password, `${net}:8::1`)).status).toBe(200)
  }, 30_000)
})

describe('registration throttle', () => {
  test('100 registrations from one address: 10 accepted, 90 refused with 429', async () => {
    const address = freshAddress()
    const statuses: number[] = []
    let retryAfter = 0
    for (let i = 0; i < 100; i++) {
      const res = await t.app.request(
        '/api/auth/register',
        jsonInit('POST', { email: `${tag}-${i}@example.com`, password: 'long enough', name: 'R' }),
        fromAddress(address),
      )
      statuses.push(res.status)
      if (res.status === 429) retryAfter = Number(res.headers.get('retry-after'))
    }
    expect(tally(statuses)).toEqual({ 202: 10, 429: 90 })
    expect(retryAfter).toBeGreaterThan(0)
    // Another address still registers.
    const other = await t.app.request(
      '/api/auth/register',
      jsonInit('POST', { email: `${tag}-other@example.com`, password: 'long enough', name: 'R' }),
      fromAddress(freshAddress()),
    )
    expect(other.status).toBe(202)
  }, 120_000)
})

describe('a login flood and the other routes', () => {
  test('300 simultaneous logins from many addresses leave every venue read answered', async () => {
    const small = await testApp({ MAX_IN_FLIGHT: '40' })
    const victim = await user()
    const logins = Array.from({ length: 300 }, () =>
      small.app.request(
        '/api/auth/login',
        jsonInit('POST', { email: victim.email, password: victim.password }),
        fromAddress(freshAddress()),
      ),
    )
    const reads = Array.from({ length: 39 }, () => small.app.request('/api/venues'))
    const [loginAnswers, readAnswers] = await Promise.all([Promise.all(logins), Promise.all(reads)])
    expect(tally(readAnswers.map((r) => r.status))).toEqual({ 200: 39 })
    // The logins the password queue could not take are refused with 503, never anything else.
    const loginStatuses = tally(loginAnswers.map((r) => r.status))
    expect(Object.keys(loginStatuses).sort()).toEqual(
      Object.keys(loginStatuses).filter((s) => s === '200' || s === '503').sort(),
    )
    expect(loginStatuses[200]).toBeGreaterThan(0)
    await small.deps.close()
  }, 120_000)
})

describe('behind a reverse proxy', () => {
  test('with TRUSTED_PROXIES, each client behind the proxy is throttled on its own', async () => {
    const proxied = await testApp({ TRUSTED_PROXIES: '10.255.0.1' })
    const owner = await user()
    const via = (client: string, password: string) =>
      proxied.app.request(
        '/api/auth/login',
        jsonInit(
          'POST',
          { email: owner.email, password },
          { 'X-Forwarded-For': `1.2.3.4, ${client}` },
        ),
        fromAddress('10.255.0.1'),
      )
    for (let i = 0; i < 5; i++) expect((await via('203.0.113.7', 'wrong')).status).toBe(401)
    expect((await via('203.0.113.7', owner.password)).status).toBe(429)
    expect((await via('203.0.113.8', owner.password)).status).toBe(200)
  }, 30_000)

  test('without it, X-Forwarded-For is ignored: a client cannot pick a fresh address', async () => {
    const owner = await user()
    const attacker = freshAddress()
    const as = (claimed: string) =>
      t.app.request(
        '/api/auth/login',
        jsonInit(
          'POST',
          { email: owner.email, password: 'wrong' },
          { 'X-Forwarded-For': claimed },
        ),
        fromAddress(attacker),
      )
    for (let i = 0; i < 5; i++) expect((await as(`198.51.100.${i}`)).status).toBe(401)
    expect((await as('198.51.100.99')).status).toBe(429)
  }, 30_000)
})
