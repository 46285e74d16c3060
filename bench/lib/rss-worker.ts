// Samples a process's RSS (and, given the app's URL, its own JS heap figures) on a thread of its
// own, so a bench process busy on its main thread, such as a client serialising 100 MB bodies,
// still samples on time. Started by sampleOffThread in rss.ts.
import { rssOf, type HeapSample, type RssSample } from './rss'

declare const self: Worker

interface Start {
  pid: number
  everyMs: number
  appUrl?: string
  heapEveryMs: number
}

const toMb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10

self.onmessage = (event: MessageEvent<Start>) => {
  const { pid, everyMs, appUrl, heapEveryMs } = event.data
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  const rss: RssSample[] = []
  const heap: HeapSample[] = []
  const take = () => {
    try {
      rss.push({ t: seconds(), rss: rssOf(pid) })
    } catch {
      // the process has gone; the samples so far stand
    }
  }
  const poll = async () => {
    try {
      const res = await fetch(`${appUrl}/api/health/memory`)
      const m = (await res.json()) as Record<string, number>
      heap.push({
        t: seconds(),
        heap_used_mb: toMb(m.heap_used_bytes!),
        heap_total_mb: toMb(m.heap_total_bytes!),
        external_mb: toMb(m.external_bytes!),
      })
    } catch {
      // the server is busy or gone; the samples so far stand
    }
  }
  take()
  const timers = [setInterval(take, everyMs)]
  if (appUrl) {
    void poll()
    timers.push(setInterval(poll, heapEveryMs))
  }
  self.onmessage = () => {
    timers.forEach(clearInterval)
    take()
    self.postMessage({ rss, heap })
  }
  self.postMessage('started')
}
