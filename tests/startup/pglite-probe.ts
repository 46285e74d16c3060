// Run by pglite-loading.test.ts in a process of its own, so the test runner's PGlite does not
// count: everything src/index.ts imports, a database opened on PostgreSQL (nothing connects before
// a query), then one on PGlite, and whether PGlite's code is loaded after each. One JSON line.
import '../../src/app/build-app'
import '../../src/app/server'
import { openDatabase } from '../../src/db/client'
import { parseEnv } from '../../src/env'

const pgliteLoaded = () =>
  Object.keys(require.cache).some((key) => key.includes('/@electric-sql/pglite/'))

const onPostgres = openDatabase(parseEnv({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' }))
const afterPostgres = pgliteLoaded()
const onPglite = openDatabase(parseEnv({}), { inMemory: true })
const afterPglite = pgliteLoaded()
try {
  await onPglite.pglite!.exec('create extension if not exists btree_gist')
  const { rows } = await onPglite.pglite!.query<{ extname: string }>(
    "select extname from pg_extension where extname = 'btree_gist'",
  )
  const extensions = rows.map((r) => r.extname)
  console.log(JSON.stringify({ afterPostgres, afterPglite, extensions }))
} finally {
  await Promise.all([onPostgres.close(), onPglite.close()])
}
