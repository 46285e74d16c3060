import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { MAX_CONCURRENT_HASHING, MAX_QUEUED_HASHING } from '../../src/services/users/password-hashing'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
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

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await removeUsers(t, made)
})

// Each login from an address of its own: a burst from one address is refused by its rate limit.
const login = (user: Pick<TestUser, 'email' | 'password'>) =>
  t.app.request(
    '/api/auth/login',
    jsonInit('POST', { email: user.email, password: user.password }),
    fromAddress(freshAddress()),
  )

const storedHash = async (id: number) => {
  const [row] = await t.database.db
    .select({ hash: users.passwordHash })
    .from(users)
    .where(eq(users.id, id))
  return row!.hash
}

describe('password hashing', () => {
  test('new passwords are hashed with argon2id at m=19 MiB, t=2, p=1', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    expect(await storedHash(user.id)).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
  })

  test("a hash made with Bun's old default (64 MiB) still verifies, and is replaced", async () => {
    const email = `old-hash-${uniq()}@example.com`
    const password = 'an older password'
    const oldHash = await Bun.password.hash(password, { algorithm: 'argon2id' })
    expect(oldHash).toStartWith('$argon2id$v=19$m=65536,t=2,p=1$')
    const [row] = await t.database.db
      .insert(users)
      .values({ email, name: 'Old', role: 'user', passwordHash: oldHash })
      .returning({ id: users.id })
    made.push(row!.id)

    expect((await login({ email, password: 'not the password' })).status).toBe(401)
    expect(await storedHash(row!.id)).toBe(oldHash)
    const ok = await login({ email, password })
    expect(ok.status).toBe(200)
    expect((await readJson(ok)).user.id).toBe(row!.id)
    const upgraded = await storedHash(row!.id)
    expect(upgraded).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
    expect((await login({ email, password })).status).toBe(200)
  })

  test('a burst of logins within the queue all succeed', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const burst = MAX_CONCURRENT_HASHING + 20
    const answers = await Promise.all(Array.from({ length: burst }, () => login(user)))
    expect(answers.map((r) => r.status)).toEqual(Array(burst).fill(200))
  })

  test('logins beyond the queue get 503 with Retry-After; the rest succeed', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const burst = MAX_CONCURRENT_HASHING + MAX_QUEUED_HASHING + 60
    const answers = await Promise.all(Array.from({ length: burst }, () => login(user)))
    const ok = answers.filter((r) => r.status === 200)
    const refused = answers.filter((r) => r.status === 503)
    expect(ok.length + refused.length).toBe(burst)
    // Every request that found room in the queue was served.
    expect(ok.length).toBeGreaterThanOrEqual(MAX_CONCURRENT_HASHING + MAX_QUEUED_HASHING)
    expect(refused.length).toBeGreaterThan(0)
    const problem = await readJson(refused[0]!)
    expect(problem).toMatchObject({ status: 503, reason: 'in_flight' })
    expect(refused[0]!.headers.get('content-type')).toBe('application/problem+json')
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(t.deps.memory.shedByReason.in_flight).toBeGreaterThanOrEqual(refused.length)
    // Once the burst is over, logins work again.
    expect((await login(user)).status).toBe(200)
  }, 60_000)
})
