import { describe, expect, test } from 'bun:test'
import { localDay } from '../../src/services/bookings/local-day'

// What /api/admin/bookings/today counts as "today"; the clock cannot be set through HTTP, so the
// days that daylight saving makes odd are checked here directly.
describe('the calendar day in a time zone', () => {
  const day = (zone: string, at: string) => {
    const d = localDay(zone, new Date(at))
    return [d.date, d.from.toISOString(), d.to.toISOString()]
  }

  test('Tokyo has no DST: 24 hours from 15:00 UTC the day before', () => {
    expect(day('Asia/Tokyo', '2026-09-06T16:00:00Z')).toEqual([
      '2026-09-07',
      '2026-09-06T15:00:00.000Z',
      '2026-09-07T15:00:00.000Z',
    ])
  })

  test('New York’s spring-forward day lasts 23 hours, its fall-back day 25', () => {
    expect(day('America/New_York', '2026-03-08T12:00:00Z')).toEqual([
      '2026-03-08',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ])
    expect(day('America/New_York', '2026-11-01T12:00:00Z')).toEqual([
      '2026-11-01',
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
    ])
  })

  test('where DST skips midnight the day starts at 01:00', () => {
    // Chile springs forward at 00:00 on 2026-09-06: that day begins at 01:00 -03:00.
    expect(day('America/Santiago', '2026-09-06T12:00:00Z')).toEqual([
      '2026-09-06',
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
    ])
  })

  test('the date follows the zone, not UTC', () => {
    expect(day('Pacific/Kiritimati', '2026-01-01T10:30:00Z')[0]).toBe('2026-01-02')
    expect(day('Pacific/Pago_Pago', '2026-01-01T10:30:00Z')[0]).toBe('2025-12-31')
  })
})
