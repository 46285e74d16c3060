import { describe, expect, test } from 'bun:test'
import { buildApp } from '../../src/app/build-app'
import { openDatabase } from '../../src/db/client'
import { createLogger } from '../../src/app/logger'
import { createDeps } from '../../src/app/deps'
import { testApp, testEnv } from '../support/app'

describe('health', () => {
  test('GET /api/health answers 200 while the process lives', async () => {
    const { app } = await testApp()
    const res = await app.request('/api/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok' })
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  test('GET /api/health/ready answers 200 when the database answers a ping', async () => {
    const { app, database } = await testApp()
    const res = await app.request('/api/health/ready')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', database: database.kind })
  })

  test('GET /api/health/ready answers 503 problem+json when the database is unreachable', async () => {
    // A real postgres.js pool pointed at a port nothing listens on.
    const env = testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_SECONDS: '1' })
    const database = openDatabase(env)
    const app = buildApp(createDeps(env, database, { logger: createLogger('silent') }))
    try {
      const res = await app.request('/api/health/ready')
      expect(res.status).toBe(503)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.headers.get('retry-after')).toBe('5')
      const body = await res.json()
      expect(body).toMatchObject({ status: 503, title: 'Service Unavailable' })
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED')
    } finally {
      await database.close()
    }
  })

  test('an unknown route is a 404 problem and a wrong method a 405 problem with Allow', async () => {
    const { app } = await testApp()
    const missing = await app.request('/api/nothing-here')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toBe('application/problem+json')
    const wrong = await app.request('/api/health', { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toContain('GET')
    expect(await wrong.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' })
  })
})
