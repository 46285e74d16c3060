import { setRuntimeFor } from './app/runtime'
import { EnvError, inheritedEnvironment, parseEnv } from './env'
import { isKnownDriverGlitch } from './db/errors'
import { detectMemoryLimit } from './app/memory/limit'
import { describeStartupError } from './app/startup-error'

// postgres.js 3.4.9 can throw from a socket callback while it reconnects during a database outage
// (porsager/postgres#1066, #1154): outside any request, so nothing else can catch it. The pool
// recovers by itself once the database is back; dying here would turn a database blip into an
// outage of the API. Anything else is a real bug: log it and exit so the supervisor restarts us.
process.on('uncaughtException', (error) => {
  if (isKnownDriverGlitch(error)) {
    console.error(JSON.stringify({ level: 'warn', msg: 'database driver glitch ignored', error: error.message }))
    return
  }
  console.error('uncaught exception:', error)
  process.exit(1)
})

try {
  const env = parseEnv()
  const limit = detectMemoryLimit({ limitMb: env.MEMORY_LIMIT_MB })
  // Before anything is loaded or listening: the same process, its runtime set for its budget.
  setRuntimeFor(limit, inheritedEnvironment())
  // Loaded only now, so a process about to be replaced has not paid for them.
  const { startServer } = await import('./app/server')
  const running = await startServer(env)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message)
  } else {
    console.error(`start-up failed: ${describeStartupError(error)}`)
  }
  process.exit(1)
}
