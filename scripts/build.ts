/**
 * Builds the service into minified files, as the image runs it: `bun run build`, then
 * `bun dist/src/index.js`. Measured by `bun run bench:startup`, the bundle idles about 6 MB lower
 * than the sources (less code for the runtime to hold, and less of Bun's own transpiler paged in).
 * Code split: what is imported only on first use (the handlers behind `lazyHandler`: exports,
 * uploads, the status page, the docs) lands in chunks of its own, read when first needed; in one
 * file it was read and held from start-up (about 3 MB more idle RSS).
 *
 * The output keeps the sources' depth (`<outdir>/src/index.js`, `<outdir>` a folder of the project
 * root) because the code finds two things relative to itself: the migrations in `../../drizzle`
 * and the status page's script beside it. PGlite stays outside the bundle: it loads its
 * WebAssembly and data files from its own package, so it is resolved from node_modules at run
 * time, and only when it is the database.
 *
 * Usage: bun scripts/build.ts [--outdir dist]
 */
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = join(import.meta.dir, '..')

/** Builds into `<root>/<outdir>` and returns the path of the file to run. */
export async function buildBundle(outdir = 'dist'): Promise<string> {
  const target = join(root, outdir)
  rmSync(target, { recursive: true, force: true })
  const out = join(target, 'src')
  const built = await Bun.build({
    entrypoints: [join(root, 'src', 'index.ts')],
    target: 'bun',
    minify: true,
    splitting: true,
    outdir: out,
    external: ['@electric-sql/pglite', '@electric-sql/pglite/*'],
  })
  if (!built.success) throw new Error(`bundling failed:\n${built.logs.join('\n')}`)
  const script = 'status.client.js'
  copyFileSync(join(root, 'src', 'routes', 'status', script), join(out, script))
  return join(out, 'index.js')
}

/**
 * A bundle for one run of a test or benchmark, in a folder of its own under the project root
 * (where it must be, see above), and the means to remove it.
 */
export async function buildScratchBundle(purpose: string) {
  const outdir = `.bundle-${purpose}-${process.pid}-${Date.now()}`
  return {
    entry: await buildBundle(outdir),
    remove: () => rmSync(join(root, outdir), { recursive: true, force: true }),
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } })
  const entry = await buildBundle(values.outdir)
  console.log(`built ${entry}`)
}
