import { describe, expect, test } from 'bun:test'
import { runProbe } from '../support/process'

const none = { exports: false, uploads: false, status: false, docs: false }

describe('rarely used handlers load on their first request', () => {
  test('a fresh app has not loaded them; each answers its first request as always', async () => {
    const steps = await runProbe('tests/startup/fresh-app-probe.ts')

    expect(steps.fresh).toEqual(none)
    // The route is registered at start-up: a wrong method is 405 without loading anything.
    expect(steps.wrongMethod).toEqual({ status: 405, allow: 'GET, POST, HEAD', loaded: none })

    expect(steps.uploads.status).toEqual([200, 200])
    for (const body of steps.uploads.bodies) {
      expect(body).toMatchObject({ items: [], pagination: { page: 1, total: 0 } })
    }
    expect(steps.uploads.loaded).toEqual({ ...none, uploads: true })

    expect(steps.exports.status).toBe(200)
    expect(steps.exports.type).toStartWith('application/x-ndjson')
    expect(steps.exports.loaded).toEqual({ ...none, uploads: true, exports: true })

    expect(steps.status.status).toBe(200)
    expect(steps.status.html.toLowerCase()).toBe('<!doctype html>')
    expect(steps.status.loaded).toEqual({ docs: false, uploads: true, exports: true, status: true })

    expect(steps.docs.status).toEqual([200, 200])
    expect(steps.docs.documents).toEqual([
      '/api/uploads',
      '/api/uploads/{id}',
      '/api/admin/bookings/export',
      '/status',
    ])
    expect(steps.docs.loaded).toEqual({ exports: true, uploads: true, status: true, docs: true })
  }, 60_000)
})
