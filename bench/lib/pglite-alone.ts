// PGlite alone, as the service opens it, with the PostgreSQL settings given as JSON in argv[3]:
// prints its RSS once the tables are read, in MB, as one JSON line.
import { PGlite } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'

const [dir, settings] = [process.argv[2]!, JSON.parse(process.argv[3]!) as string[]]
const client = new PGlite(dir, { extensions: { btree_gist }, postgresqlconf: settings })
await client.waitReady
for (const table of ['venues', 'items', 'bookings', 'users']) {
  await client.query(`select count(*) from ${table}`)
}
await client.query('select * from bookings order by start_datetime desc limit 100')
Bun.gc(true)
console.log(JSON.stringify({ rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) }))
await client.close()
