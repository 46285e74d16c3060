import { describe, expect, test } from 'bun:test'
import { isKnownDriverGlitch } from '../../src/db/errors'

describe('the process survives the postgres.js reconnect race, and only that', () => {
  test('a socket write on a closed postgres.js connection is recognised', () => {
    const glitch = new TypeError("null is not an object (evaluating 'socket.write')")
    glitch.stack = `${glitch.message}\n    at nextWrite (/app/node_modules/postgres/src/connection.js:261:5)`
    expect(isKnownDriverGlitch(glitch)).toBe(true)
  })

  test('any other error is not', () => {
    const ours = new TypeError("null is not an object (evaluating 'socket.write')")
    ours.stack = `${ours.message}\n    at handler (/app/src/routes/bookings/bookings.handlers.ts:10:3)`
    expect(isKnownDriverGlitch(ours)).toBe(false)
    expect(isKnownDriverGlitch(new Error('boom'))).toBe(false)
    expect(isKnownDriverGlitch('socket.write')).toBe(false)
  })
})
