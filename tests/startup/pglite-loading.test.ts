import { describe, expect, test } from 'bun:test'
import { runProbe } from '../support/process'

describe('PGlite is loaded only when it is the database', () => {
  test('a server on PostgreSQL never loads PGlite; opening PGlite loads it', async () => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.DATABASE_URL
    expect(await runProbe('tests/startup/pglite-probe.ts', env)).toEqual({
      afterPostgres: false,
      afterPglite: true,
      extensions: ['btree_gist'],
    })
  }, 60_000)
})
