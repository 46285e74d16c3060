import type { GcReason, MemoryMonitor } from './monitor'

/**
 * Bytes streamed through this process (uploads in, COPY exports out), across all requests,
 * between two forced full collections. Each chunk reaches JavaScript in a buffer of its own that
 * is garbage once passed on, and the engine, which paces its collections by the JS heap, lets
 * those buffers pile up: four clients uploading 100 MB each grew RSS by 80-90 MB. A collection
 * every 16 MB held that to 30-36 MB, for about 12 ms of pause per collection (0.75 ms per MB);
 * every 8 MB gained only a few MB more for twice the pauses.
 */
export const COLLECT_EVERY_BYTES = 16 * 1024 * 1024

let sinceCollection = 0

/** Notes `bytes` streamed; forces a full collection each COLLECT_EVERY_BYTES. */
export function collectAfterStreaming(
  monitor: MemoryMonitor,
  bytes: number,
  reason: Extract<GcReason, 'uploads' | 'exports'>,
) {
  sinceCollection += bytes
  if (sinceCollection < COLLECT_EVERY_BYTES) return
  sinceCollection = 0
  monitor.collect(reason)
}
