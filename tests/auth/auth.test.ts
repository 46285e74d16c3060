import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { issueToken } from '../../src/http/middleware/auth'
import { freshAddress, fromAddress, jsonInit, makeUser, removeUsers } from '../support/users'

let t: TestApp
const made: number[] = []

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await removeUsers(t, made)
})

describe('auth', () => {
  test('register answers 202; logging in then gives a token that /api/auth/me accepts', async () => {
    const email = `New-${uniq()}@Example.com`
    const password = 'long enough pw'
    const res = await t.app.request(
      '/api/auth/register',
      jsonInit('POST', { email, password, name: 'Ana' }),
    )
    expect(res.status).toBe(202)
    expect(await readJson(res)).toEqual({ status: 'accepted', detail: expect.any(String) })
    const login = await t.app.request('/api/auth/login', jsonInit('POST', { email, password }))
    expect(login.status).toBe(200)
    const body = await readJson(login)
    made.push(body.user.id)
    expect(body.user).toMatchObject({ email: email.toLowerCase(), name: 'Ana', role: 'user' })
    expect(body.user.password_hash).toBeUndefined()
    const me = await t.app.request('/api/auth/me', { headers: { Authorization: `Bearer ${body.token}` } })
    expect(me.status).toBe(200)
    expect((await readJson(me)).id).toBe(body.user.id)
  })

  test('registering a taken email answers exactly as a new one, and changes nothing', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const answer = async (email: string) => {
      const res = await t.app.request(
        '/api/auth/register',
        jsonInit('POST', { email, password: 'another password', name: 'B' }),
        fromAddress(freshAddress()),
      )
      const headers = Object.fromEntries(res.headers)
      delete headers['x-request-id']
      return { status: res.status, headers, body: await res.text() }
    }
    const fresh = `fresh-${uniq()}@example.com`
    const [taken, created] = [await answer(user.email.toUpperCase()), await answer(fresh)]
    expect(taken).toEqual(created)
    expect(taken.status).toBe(202)
    const [row] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.email, fresh))
    made.push(row!.id)
    // The taken email keeps its password and name: only the owner can log in.
    const owner = await t.app.request(
      '/api/auth/login',
      jsonInit('POST', { email: user.email, password: user.password }),
    )
    expect((await readJson(owner)).user).toMatchObject({ id: user.id, name: 'Test user' })
    const impostor = await t.app.request(
      '/api/auth/login',
      jsonInit('POST', { email: user.email, password: 'another password' }),
    )
    expect(impostor.status).toBe(401)
  })

  test('bad register fields are a 400 listing each one', async () => {
    const res = await t.app.request(
      '/api/auth/register',
      jsonInit('POST', { email: 'nope', password: 'short' }),
    )
    expect(res.status).toBe(400)
    const body = await readJson(res)
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'password'])
  })

  test('malformed JSON is a 400 problem', async () => {
    const res = await t.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
  })

  test('login with the right password answers a token; a wrong one 401', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const ok = await t.app.request('/api/auth/login', jsonInit('POST', { email: user.email, password: user.password }))
    expect(ok.status).toBe(200)
    expect((await readJson(ok)).token).toBeString()
    const bad = await t.app.request('/api/auth/login', jsonInit('POST', { email: user.email, password: 'wrong one' }))
    expect(bad.status).toBe(401)
  })

  test('failed logins for one email from one address: 429 there, the owner elsewhere logs in', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const attacker = fromAddress(freshAddress())
    const attempt = (password: string, from = attacker) =>
      t.app.request('/api/auth/login', jsonInit('POST', { email: user.email, password }), from)
    for (let i = 0; i < 5; i++) expect((await attempt('wrong pw!')).status).toBe(401)
    const limited = await attempt('wrong pw!')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // That address waits out the window, even with the right password...
    expect((await attempt(user.password)).status).toBe(429)
    // ...but the owner from another address is not locked out.
    expect((await attempt(user.password, fromAddress(freshAddress()))).status).toBe(200)
  })

  test('/api/auth/me without a token, or with a forged one, is 401', async () => {
    expect((await t.app.request('/api/auth/me')).status).toBe(401)
    const forged = await t.app.request('/api/auth/me', {
      headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.x' },
    })
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toContain('Bearer')
  })

  test('a token accepted a moment ago is 401 once it expires; its forged twin never passes', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const token = await issueToken(t.deps.jwtSecret, { id: user.id }, 1)
    const me = (bearer: string) =>
      t.app.request('/api/auth/me', { headers: { Authorization: `Bearer ${bearer}` } })
    expect((await me(token)).status).toBe(200)
    // Same header and claims, another signature: accepted bytes say nothing about these.
    const [header, claims, signature = ''] = token.split('.')
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`
    expect((await me(`${header}.${claims}.${flipped}`)).status).toBe(401)
    const { exp } = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as { exp: number }
    await Bun.sleep(Math.max(0, exp * 1000 - Date.now()) + 50)
    const expired = await me(token)
    expect(expired.status).toBe(401)
    expect((await readJson(expired)).detail).toBe('The token is invalid or has expired.')
  })
})
