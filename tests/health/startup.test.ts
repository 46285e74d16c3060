import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { startServerProcess } from '../support/process'

const root = join(import.meta.dir, '..', '..')

describe('start-up and shutdown', () => {
  test('a bad environment variable stops start-up with one line naming it and exit 1', async () => {
    const proc = Bun.spawn([process.execPath, 'src/index.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'not-a-port', MEMORY_THRESHOLD_PERCENT: '150' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await proc.exited).toBe(1)
    const stderr = (await new Response(proc.stderr).text()).trim()
    expect(stderr.split('\n')).toHaveLength(1)
    expect(stderr).toContain('PORT')
    expect(stderr).toContain('MEMORY_THRESHOLD_PERCENT')
  }, 30_000)

  test('SIGTERM stops accepting, closes the pool and exits 0', async () => {
    const server = await startServerProcess()
    try {
      expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(200)
      server.proc.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      expect(server.output()).toContain('"msg":"stopped"')
      expect(fetch(`${server.url}/api/health`)).rejects.toThrow()
    } finally {
      server.cleanup()
    }
  }, 60_000)
})
