import { afterAll, setDefaultTimeout } from 'bun:test'
import { closeSharedDatabase } from './app'

// PGlite takes seconds to start and tests start real servers: 5 s is too short on a small box.
setDefaultTimeout(60_000)

afterAll(async () => {
  await closeSharedDatabase()
})
