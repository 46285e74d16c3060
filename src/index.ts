import { setRuntimeFor } from './app/runtime'
import { EnvError, inheritedEnvironment, parseEnv } from './env'
import { detectMemoryLimit } from './app/memory/limit'
import { describeStartupError } from './app/startup-error'

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
