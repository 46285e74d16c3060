import postgres from 'postgres'

/** The machine's PostgreSQL server; only databases this suite creates are touched. */
export const SERVER_URL =
  process.env.RESILIENCE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface ScratchDatabase {
  name: string
  url: string
  /** A small client for checks and snapshots; closed by drop(). */
  sql: postgres.Sql
  drop(): Promise<void>
}

let made = 0

/** A new empty database `resilience_<pid>_<n>` on `serverUrl`, dropped (forcefully) by drop(). */
export async function createScratchDatabase(serverUrl = SERVER_URL): Promise<ScratchDatabase> {
  const name = `resilience_${process.pid}_${++made}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} })
  return {
    name,
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 2 })
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} })
      try {
        await again.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await again.end()
      }
    },
  }
}
