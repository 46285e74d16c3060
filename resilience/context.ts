/** What every scenario gets from the runner. */
export interface SuiteContext {
  /** The command line that produced the figures, for the results file. */
  command: string
  log(message: string): void
  /** Registers work to undo at the end of the scenario, even when it fails (last in, first out). */
  cleanup(undo: () => unknown): void
}

/** A context whose cleanups run, newest first, when `finish` is called. */
export function suiteContext(command: string) {
  const undo: (() => unknown)[] = []
  const context: SuiteContext = {
    command,
    log: (message) =>
      console.log(`[resilience ${new Date().toISOString().slice(11, 19)}] ${message}`),
    cleanup: (fn) => undo.push(fn),
  }
  async function finish() {
    while (undo.length > 0) {
      const fn = undo.pop()!
      try {
        await fn()
      } catch (error) {
        context.log(`cleanup failed: ${error instanceof Error ? error.message : error}`)
      }
    }
  }
  return { context, finish }
}
