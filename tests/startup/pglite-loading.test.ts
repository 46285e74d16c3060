import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'

const root = join(import.meta.dir, '..', '..')

describe('PGlite is loaded only when it is the database', () => {
  test('a server on PostgreSQL never loads PGlite; opening PGlite loads it', async () => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.DATABASE_URL
    const proc = Bun.spawn([process.execPath, 'tests/startup/pglite-probe.ts'], {
      cwd: root,
      env,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [code, stdout, stderr] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      afterPostgres: false,
      afterPglite: true,
      extensions: ['btree_gist'],
    })
  }, 60_000)
})
