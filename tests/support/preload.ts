import { afterAll } from 'bun:test'
import { closeSharedDatabase, sharedDatabase } from './app'

// Started before any test, so no single test pays PGlite's seconds of start-up.
await sharedDatabase()

afterAll(async () => {
  await closeSharedDatabase()
})
