import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { JSC_FTL, JSC_RAM_SIZE, runtimeEnvironmentFor } from '../../src/env'
import { detectMemoryLimit } from '../../src/lib/memory/limit'
import { startServerProcess } from '../support/process'

/** The environment a running process was started with, from /proc (Linux). */
const environmentOf = (pid: number) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  )

describe('the runtime is set for the memory limit', () => {
  test('only a limit below the machine sets it, and never over values set by hand', () => {
    expect(runtimeEnvironmentFor(undefined, { PATH: '/bin' })).toBeUndefined()
    expect(runtimeEnvironmentFor(128 * 2 ** 20, { [JSC_RAM_SIZE]: '999' })).toBeUndefined()
    expect(runtimeEnvironmentFor(128 * 2 ** 20, { PATH: '/bin', EMPTY: undefined })).toEqual({
      PATH: '/bin',
      [JSC_RAM_SIZE]: String(128 * 2 ** 20),
      [JSC_FTL]: '0',
    })
    // FTL left on by hand stays on.
    expect(runtimeEnvironmentFor(2 ** 30, { [JSC_FTL]: '1' })).toMatchObject({ [JSC_FTL]: '1' })
  })

  test('a server with MEMORY_LIMIT_MB runs as the same process, its runtime set', async () => {
    const server = await startServerProcess({ MEMORY_LIMIT_MB: '512' })
    try {
      // The pid Bun.spawn returned is the one serving: re-executed in place, not a child.
      const environment = environmentOf(server.proc.pid)
      expect(environment[JSC_RAM_SIZE]).toBe(String(512 * 2 ** 20))
      expect(environment[JSC_FTL]).toBe('0')
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
      const memory = (await (await fetch(`${server.url}/api/health/memory`)).json()) as {
        limit_bytes: number
        limit_source: string
      }
      expect(memory).toMatchObject({ limit_bytes: 512 * 2 ** 20, limit_source: 'env' })
    } finally {
      server.cleanup()
    }
  }, 90_000)

  test.skipIf(detectMemoryLimit().source !== 'system')(
    'without a limit below the machine the runtime is left as it is',
    async () => {
      const server = await startServerProcess()
      try {
        expect(environmentOf(server.proc.pid)[JSC_RAM_SIZE]).toBeUndefined()
        expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
      } finally {
        server.cleanup()
      }
    },
    90_000,
  )
})
