import { EnvError, parseEnv } from '../env'
import { describeStartupError } from '../app/startup-error'
import { openDatabase } from './client'
import { migrate } from './migrate'

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
