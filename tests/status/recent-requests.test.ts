import { describe, expect, test } from 'bun:test'
import { RecentRequests } from '../../src/app/recent-requests'

const NOW = Date.parse('2030-01-01T00:00:00Z')

describe('the latest requests behind the status page latency', () => {
  test('mean and percentiles are of the same requests: 1..100 ms give 50.5, 50, 95, 99', () => {
    const recent = new RecentRequests()
    // Out of order, as concurrent requests end.
    for (let ms = 100; ms >= 1; ms--) recent.record(200, ms / 1000, false, NOW - ms)
    const summary = recent.summary(10_000, NOW)
    expect(summary).toEqual({
      count: 100,
      seconds: 10,
      per_second: 10,
      latency_ms: { mean: 50.5, p50: 50, p95: 95, p99: 99 },
    })
  })

  test('a skewed window: the mean follows the slow tail, above the median', () => {
    const recent = new RecentRequests()
    for (let i = 0; i < 90; i++) recent.record(200, 0.002, false, NOW - 100)
    for (let i = 0; i < 10; i++) recent.record(200, 0.5, false, NOW - 100)
    const { latency_ms } = recent.summary(10_000, NOW)
    expect(latency_ms).toEqual({ mean: 51.8, p50: 2, p95: 500, p99: 500 })
  })

  test('only requests inside the window count; none gives no latency', () => {
    const recent = new RecentRequests()
    recent.record(200, 1, false, NOW - 20_000)
    recent.record(200, 0.004, false, NOW - 5_000)
    expect(recent.summary(10_000, NOW)).toMatchObject({ count: 1, latency_ms: { p50: 4 } })
    expect(recent.summary(1_000, NOW)).toEqual({
      count: 0,
      seconds: 1,
      per_second: 0,
      latency_ms: null,
    })
  })

  test('bounded: past its capacity it keeps the latest and says which span they cover', () => {
    const recent = new RecentRequests(100)
    // 300 requests in the last 3 s: only the last 100 (1 s) are kept.
    for (let i = 300; i >= 1; i--) recent.record(200, 0.001, false, NOW - i * 10)
    const summary = recent.summary(10_000, NOW)
    expect(summary.count).toBe(100)
    expect(summary.seconds).toBe(1)
    expect(summary.per_second).toBe(100)
    expect(recent.total).toBe(300)
  })

  test('5xx answers count as errors, the memory guard 503s do not', () => {
    const recent = new RecentRequests()
    recent.record(500, 0.001, false, NOW)
    recent.record(503, 0.001, false, NOW)
    recent.record(503, 0.001, true, NOW)
    recent.record(404, 0.001, false, NOW)
    expect(recent.errors5xx).toBe(2)
    expect(recent.total).toBe(4)
  })
})
