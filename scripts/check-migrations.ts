/**
 * Fails when src/db/schema and the committed drizzle/ migrations disagree: drizzle-kit generates
 * into a scratch copy of drizzle/, and any new file means a migration is missing.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
// drizzle-kit resolves --out against the working directory, so the scratch copy lives in the tree.
const scratchName = `.drizzle-drift-${process.pid}`
const scratch = join(root, scratchName)
try {
  cpSync(join(root, 'drizzle'), scratch, { recursive: true })
  const before = new Set(readdirSync(scratch))
  const run = Bun.spawnSync(
    [
      join(root, 'node_modules', '.bin', 'drizzle-kit'),
      'generate',
      '--dialect=postgresql',
      '--schema=./src/db/schema/index.ts',
      `--out=./${scratchName}`,
      '--name=drift',
    ],
    { cwd: root, stdout: 'pipe', stderr: 'pipe' },
  )
  const said = run.stdout.toString() + run.stderr.toString()
  if (run.exitCode !== 0 || /error/i.test(said)) {
    console.error(said)
    process.exitCode = 1
  } else {
    const added = readdirSync(scratch).filter((f) => !before.has(f))
    if (added.length > 0) {
      console.error(
        `schema and migrations drift apart: drizzle-kit would generate ${added.join(', ')}. ` +
          'Run `bun run db:generate` and commit the result.',
      )
      process.exitCode = 1
    } else {
      console.log('migrations match the schema')
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
