import { describe, expect, test } from 'bun:test'
import pino from 'pino'
import { buildApp } from '../../src/app/build-app'
import { createDeps } from '../../src/app/deps'
import { sharedDatabase, testEnv } from '../support/app'

async function appLoggingTo(level: 'debug' | 'info' | 'warn') {
  const lines: Record<string, any>[] = []
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  const deps = createDeps(testEnv(), await sharedDatabase(), { logger })
  return { app: buildApp(deps), requests: () => lines.filter((l) => l.msg === 'request') }
}

describe('access log', () => {
  test('one JSON line per request: id, method, route pattern, path, status, duration', async () => {
    const { app, requests } = await appLoggingTo('info')
    const res = await app.request('/api/venues/424242')
    expect(res.status).toBe(404)
    expect(requests()).toHaveLength(1)
    const [line] = requests()
    expect(line).toMatchObject({
      level: 30,
      request_id: res.headers.get('x-request-id'),
      method: 'GET',
      route: '/api/venues/:id',
      path: '/api/venues/424242',
      status: 404,
    })
    expect(line!.duration_ms).toBeGreaterThanOrEqual(0)
  })

  test('probes log at debug only; the level setting filters lines', async () => {
    const info = await appLoggingTo('info')
    await info.app.request('/api/health')
    await info.app.request('/metrics')
    expect(info.requests()).toHaveLength(0)

    const debug = await appLoggingTo('debug')
    await debug.app.request('/api/health')
    expect(debug.requests()).toEqual([expect.objectContaining({ route: '/api/health', level: 20 })])

    const warn = await appLoggingTo('warn')
    await warn.app.request('/api/venues')
    expect(warn.requests()).toHaveLength(0)
  })
})
