import { describe, expect, test } from 'bun:test'
import {
  HEAP_RAM_CAP,
  JIT_MIN_LIMIT,
  JSC_FTL,
  JSC_JIT,
  JSC_RAM_SIZE,
  runtimeEnvironmentFor,
} from '../../src/app/runtime'
import { detectMemoryLimit } from '../../src/app/memory/limit'
import { environmentOf, startServerProcess } from '../support/process'

describe('the runtime is set for the memory limit', () => {
  test('under a limit the heap is paced for it, at most 96 MB, FTL off; none without', () => {
    const MB = 2 ** 20
    const limit = (bytes: number) => ({ bytes, source: 'env' as const })
    expect(runtimeEnvironmentFor(limit(64 * MB), { PATH: '/bin' })).toEqual({
      PATH: '/bin',
      [JSC_RAM_SIZE]: String(64 * MB),
      [JSC_FTL]: '0',
      [JSC_JIT]: '0',
    })
    expect(runtimeEnvironmentFor(limit(JIT_MIN_LIMIT), {})).toEqual({
      [JSC_RAM_SIZE]: String(HEAP_RAM_CAP),
      [JSC_FTL]: '0',
    })
    expect(runtimeEnvironmentFor({ bytes: 4096 * MB, source: 'cgroup' }, {})).toEqual({
      [JSC_RAM_SIZE]: String(HEAP_RAM_CAP),
      [JSC_FTL]: '0',
    })
    // No limit below the machine's: the runtime paces for the machine, its JIT whole.
    expect(runtimeEnvironmentFor({ bytes: 24 * 1024 * MB, source: 'system' }, {})).toBeUndefined()
    // Set by hand: the heap size leaves the runtime alone; a JIT tier left on stays on.
    expect(runtimeEnvironmentFor(limit(128 * MB), { [JSC_RAM_SIZE]: '999' })).toBeUndefined()
    expect(runtimeEnvironmentFor(limit(128 * MB), { [JSC_FTL]: '1', [JSC_JIT]: '1' })).toMatchObject(
      { [JSC_FTL]: '1', [JSC_JIT]: '1' },
    )
  })

  test('a server with MEMORY_LIMIT_MB runs as the same process, its runtime set', async () => {
    // Interpreted (JIT off below 128 MB), PGlite's first start on a busy machine takes minutes.
    const server = await startServerProcess({ MEMORY_LIMIT_MB: '120' }, 'src/index.ts', {
      startTimeoutMs: 240_000,
    })
    try {
      // The pid Bun.spawn returned is the one serving: re-executed in place, not a child.
      const environment = environmentOf(server.proc.pid)
      expect(environment[JSC_RAM_SIZE]).toBe(String(HEAP_RAM_CAP))
      expect(environment[JSC_FTL]).toBe('0')
      expect(environment[JSC_JIT]).toBe('0')
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
      const memory = (await (await fetch(`${server.url}/api/health/memory`)).json()) as {
        limit_bytes: number
        limit_source: string
      }
      expect(memory).toMatchObject({ limit_bytes: 120 * 2 ** 20, limit_source: 'env' })
    } finally {
      server.cleanup()
    }
  }, 300_000)

  test.skipIf(detectMemoryLimit().source !== 'system')(
    'without a limit the runtime keeps its own heap pacing and its whole JIT',
    async () => {
      const server = await startServerProcess()
      try {
        const environment = environmentOf(server.proc.pid)
        expect(environment[JSC_RAM_SIZE]).toBeUndefined()
        expect(environment[JSC_FTL]).toBeUndefined()
        expect(environment[JSC_JIT]).toBeUndefined()
        expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
      } finally {
        server.cleanup()
      }
    },
    90_000,
  )
})
