/**
 * Runs `sweep` now, then again after each pause of `pausesMs` in turn (the last one repeats), on
 * timers that do not keep the process alive; a sweep starts only after the one before it ended.
 * `sweep` reports its own failures: one that throws is not run again. Returns the function that
 * stops the schedule: it aborts the signal the sweep is given and waits for a sweep in progress.
 *
 * @example
 * const stop = repeatSweeps((signal) => sweepOnce(db, signal), [60_000, 3_600_000])
 */
export function repeatSweeps(
  sweep: (signal: AbortSignal) => Promise<void>,
  pausesMs: readonly number[],
): () => Promise<void> {
  const stopping = new AbortController()
  let timer: Timer | undefined
  let running: Promise<void> | undefined

  const sweepThenPause = (run: number) => {
    running = sweep(stopping.signal).finally(() => {
      running = undefined
      if (stopping.signal.aborted) return
      const delay = pausesMs[Math.min(run, pausesMs.length - 1)]
      timer = setTimeout(() => sweepThenPause(run + 1), delay)
      timer.unref()
    })
  }
  sweepThenPause(0)

  return async function stopSweeps() {
    stopping.abort()
    clearTimeout(timer)
    await running
  }
}
