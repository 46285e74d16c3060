import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { fileURLToPath } from 'node:url'
import type { Database } from './client'

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))

/** Applies the committed drizzle-kit migrations; already-applied ones are skipped. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    // A migration (an index on a large table) may take longer than a request's query budget.
    await database.withoutBudget((db) =>
      migratePostgres(db as unknown as PostgresJsDatabase, { migrationsFolder }),
    )
  } else {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder })
  }
}
