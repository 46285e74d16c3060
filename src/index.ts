import { EnvError, parseEnv } from './env'
import { startServer } from './server'

try {
  const env = parseEnv()
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
    console.error('start-up failed:', error instanceof Error ? error.message : error)
  }
  process.exit(1)
}
