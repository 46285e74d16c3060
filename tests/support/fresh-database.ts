import postgres from 'postgres'
import { openDatabase, type Database } from '../../src/db/client'
import { uniq, testEnv } from './app'

/**
 * A brand-new empty database, for tests that need one to themselves (migrations from zero, a
 * few hundred thousand rows for the planner). On PostgreSQL it is created and dropped; on PGlite
 * it is a new in-memory instance.
 */
export async function withFreshDatabase<T>(run: (database: Database) => Promise<T>): Promise<T> {
  const env = testEnv()
  if (!env.DATABASE_URL) {
    const database = openDatabase(env, { inMemory: true })
    try {
      return await run(database)
    } finally {
      await database.close()
    }
  }
  const name = `test_fresh_${uniq()}`
  const admin = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  const url = new URL(env.DATABASE_URL)
  url.pathname = `/${name}`
  const database = openDatabase({ ...env, DATABASE_URL: url.toString() })
  try {
    return await run(database)
  } finally {
    await database.close()
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end()
  }
}
