import { EnvError, parseEnv } from '../env'
import { describeStartupError } from './startup-error'
import { openDatabase } from '../db/client'
import { migrate } from '../db/migrate'

try {
  const database = openDatabase(parseEnv())
  try {
    await migrate(database)
    console.log(`migrations applied (${database.kind})`)
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(
    error instanceof EnvError ? error.message : `migration failed: ${describeStartupError(error)}`,
  )
  process.exit(1)
}
