import type { MemoryMonitor } from './monitor'

/**
 * A full collection every `seconds` (0 = never), on a timer that does not keep the process
 * alive. Bun's collector is incremental and lazy; an idle service otherwise keeps the memory of
 * its last burst. Returns the function that stops it.
 */
export function startPeriodicGc(monitor: MemoryMonitor, seconds: number): () => void {
  if (seconds <= 0) return () => {}
  const timer = setInterval(() => monitor.collect('periodic'), seconds * 1000)
  timer.unref()
  return () => clearInterval(timer)
}
