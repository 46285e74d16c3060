import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readJson, testApp, uniq, type TestApp } from '../support/app'
import { jsonInit, makeUser, removeUsers } from '../support/users'

let t: TestApp
const made: number[] = []

beforeAll(async () => {
  t = await testApp()
})
afterAll(async () => {
  await removeUsers(t, made)
})

describe('auth', () => {
  test('register answers 201 with the user and a token that /api/auth/me accepts', async () => {
    const email = `New-${uniq()}@Example.com`
    const res = await t.app.request(
      '/api/auth/register',
      jsonInit('POST', { email, password: 'long enough pw', name: 'Ana' }),
    )
    expect(res.status).toBe(201)
    const body = await readJson(res)
    made.push(body.user.id)
    expect(body.user).toMatchObject({ email: email.toLowerCase(), name: 'Ana', role: 'user' })
    expect(body.user.password_hash).toBeUndefined()
    const me = await t.app.request('/api/auth/me', { headers: { Authorization: `Bearer ${body.token}` } })
    expect(me.status).toBe(200)
    expect((await readJson(me)).id).toBe(body.user.id)
  })

  test('registering the same email again, in any case, is a 409 problem', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const res = await t.app.request(
      '/api/auth/register',
      jsonInit('POST', { email: user.email.toUpperCase(), password: 'another password', name: 'B' }),
    )
    expect(res.status).toBe(409)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
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

  test('repeated failed logins for one email are refused with 429 and Retry-After', async () => {
    const user = await makeUser(t)
    made.push(user.id)
    const attempt = () =>
      t.app.request('/api/auth/login', jsonInit('POST', { email: user.email, password: 'wrong pw!' }))
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401)
    const limited = await attempt()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Even the right password waits out the window.
    const right = await t.app.request('/api/auth/login', jsonInit('POST', { email: user.email, password: user.password }))
    expect(right.status).toBe(429)
  })

  test('/api/auth/me without a token, or with a forged one, is 401', async () => {
    expect((await t.app.request('/api/auth/me')).status).toBe(401)
    const forged = await t.app.request('/api/auth/me', {
      headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.x' },
    })
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toContain('Bearer')
  })
})
