import { describe, expect, test } from 'bun:test'
import { LimitReached, concurrencyLimit } from '../../src/lib/concurrency-limit'

const counting = () => {
  let running = 0
  let most = 0
  const order: number[] = []
  const task = (n: number, ms = 5) => async () => {
    running++
    most = Math.max(most, running)
    await Bun.sleep(ms)
    running--
    order.push(n)
    return n
  }
  return { task, order, most: () => most }
}

describe('concurrency limit', () => {
  test('at most the set number run at once, the queue in order, the rest refused', async () => {
    const limit = concurrencyLimit({ name: 'tasks', concurrency: 2, maxQueued: 3 })
    const { task, order, most } = counting()
    const accepted = [1, 2, 3, 4, 5].map((n) => limit.run(task(n)))
    expect(limit.running).toBe(2)
    expect(limit.waiting).toBe(3)
    await expect(limit.run(task(6))).rejects.toBeInstanceOf(LimitReached)
    expect(await Promise.all(accepted)).toEqual([1, 2, 3, 4, 5])
    expect(most()).toBe(2)
    expect(order.slice(2)).toEqual([3, 4, 5])
    // Places come back after failures too.
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await limit.run(task(7))).toBe(7)
    expect(limit.running).toBe(0)
  })

  test('a place held past a promise is given back once, however often released', async () => {
    const limit = concurrencyLimit({ name: 'streams', concurrency: 1, maxQueued: 1 })
    const release = await limit.acquire()
    const next = limit.acquire()
    expect(limit.waiting).toBe(1)
    release()
    release()
    const releaseNext = await next
    expect(limit.running).toBe(1)
    expect(limit.waiting).toBe(0)
    releaseNext()
    expect(limit.running).toBe(0)
  })

  test('a waiter whose signal aborts leaves the queue and takes no place', async () => {
    const limit = concurrencyLimit({ name: 'streams', concurrency: 1, maxQueued: 2 })
    const release = await limit.acquire()
    const gone = new AbortController()
    const leaving = limit.acquire(gone.signal)
    const staying = limit.acquire()
    gone.abort(new Error('client left'))
    await expect(leaving).rejects.toThrow('client left')
    expect(limit.waiting).toBe(1)
    release()
    const releaseStaying = await staying
    expect(limit.running).toBe(1)
    releaseStaying()
    expect(limit.running).toBe(0)
    // An already aborted signal never queues.
    await expect(limit.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    expect(limit.waiting).toBe(0)
  })

  test('a wait longer than maxWaitMs ends in LimitReached and leaves the queue', async () => {
    const limit = concurrencyLimit({ name: 'exports', concurrency: 1, maxQueued: 1, maxWaitMs: 20 })
    const release = await limit.acquire()
    await expect(limit.acquire()).rejects.toBeInstanceOf(LimitReached)
    expect(limit.waiting).toBe(0)
    release()
    const again = await limit.acquire()
    expect(limit.running).toBe(1)
    again()
  })
})
