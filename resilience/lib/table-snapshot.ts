import type postgres from 'postgres'

export interface TableState {
  rows: number
  /** md5 of every row's text, in a fixed order: any changed value changes it. */
  checksum: string
}

export interface Snapshot {
  tables: Record<string, TableState>
  stock_sum: number
  bookings_by_status: Record<string, number>
}

/** Row count and content checksum of every table of the public schema, plus two business sums. */
export async function snapshot(sql: postgres.Sql): Promise<Snapshot> {
  const names = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`
  const tables: Record<string, TableState> = {}
  for (const { name } of names) {
    const [row] = await sql.unsafe<{ rows: number; checksum: string | null }[]>(
      `select count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), ''))
         as checksum from "${name}" t`,
    )
    tables[name] = { rows: row!.rows, checksum: row!.checksum ?? '' }
  }
  const [stock] = await sql<
    { sum: number }[]
  >`select coalesce(sum(stock), 0)::bigint::float8 as sum from items`
  const statuses = await sql<{ status: string; n: number }[]>`
    select status::text, count(*)::int as n from bookings group by status order by status`
  return {
    tables,
    stock_sum: stock!.sum,
    bookings_by_status: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
  }
}

/** Every difference between two snapshots, as readable lines; empty when nothing changed. */
export function snapshotDiff(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = []
  const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])
  for (const name of [...names].sort()) {
    const a = before.tables[name]
    const b = after.tables[name]
    if (!a || !b) out.push(`${name}: table ${a ? 'dropped' : 'created'}`)
    else if (a.rows !== b.rows) out.push(`${name}: ${a.rows} -> ${b.rows} rows`)
    else if (a.checksum !== b.checksum) out.push(`${name}: same ${a.rows} rows, contents changed`)
  }
  if (before.stock_sum !== after.stock_sum) {
    out.push(`items: stock sum ${before.stock_sum} -> ${after.stock_sum}`)
  }
  const statuses = JSON.stringify(before.bookings_by_status)
  if (statuses !== JSON.stringify(after.bookings_by_status)) {
    out.push(`bookings by status ${statuses} -> ${JSON.stringify(after.bookings_by_status)}`)
  }
  return out
}
