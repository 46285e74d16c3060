import type { MemoryMonitor } from './monitor'

/**
 * A full collection every `seconds` (0 = never), on timers that do not keep the process alive.
 * Bun's collector is incremental and lazy; an idle service otherwise keeps the memory of its last
 * burst. A full collection stalls every request in flight, so when one is due it waits for a
 * moment with none, but never longer than one more interval. When the guard let no request
 * through since the last one, the run is `idle` and the engine's compiled code goes too: a
 * service left alone returns to its start-up footprint, and one under load keeps its warm code.
 * Returns the function that stops it.
 */
export function startPeriodicGc(
  monitor: MemoryMonitor,
  seconds: number,
  now: () => number = Date.now,
): () => void {
  if (seconds <= 0) return () => {}
  const intervalMs = seconds * 1000
  let due = now() + intervalMs
  let admitted = monitor.admitted
  const tick = () => {
    const t = now()
    if (t < due || (monitor.inFlight > 0 && t < due + intervalMs)) return
    const idle = admitted !== undefined && monitor.admitted === admitted
    monitor.collect(idle ? 'idle' : 'periodic')
    admitted = monitor.admitted
    due = t + intervalMs
  }
  const timer = setInterval(tick, Math.min(intervalMs, 250))
  timer.unref()
  return () => clearInterval(timer)
}
