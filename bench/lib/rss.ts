import { readFileSync, writeFileSync } from 'node:fs'

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status)
  if (!match) throw new Error(`no VmRSS for ${pid}`)
  return Number(match[1]) * 1024
}

export interface RssSample {
  t: number
  rss: number
}

/** Samples a process's RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 250) {
  const started = performance.now()
  const samples: RssSample[] = []
  const take = () => {
    try {
      samples.push({ t: (performance.now() - started) / 1000, rss: rssOf(pid) })
    } catch {
      // the process has gone; the samples so far stand
    }
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    samples,
    stop() {
      clearInterval(timer)
      take()
      return samples
    },
  }
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

let clockTicks: number | undefined

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces; the fields after it are space separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / clockTicks
}

/** Summary of a series of samples in MB. */
export function rssSummary(samples: RssSample[]) {
  const values = samples.map((s) => s.rss)
  return {
    min_mb: mb(Math.min(...values)),
    max_mb: mb(Math.max(...values)),
    mean_mb: mb(values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1)),
    last_mb: mb(values.at(-1) ?? 0),
    samples: values.length,
  }
}

/**
 * Resets the kernel's record of a process's peak RSS (VmHWM), so `peakRssOf` afterwards gives the
 * peak of what follows, including spikes between two samples. False where not permitted.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** VmHWM: the highest RSS of the process since start or since `resetPeakRss`. */
export function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0) * 1024
}

/** The app's own JS heap figures at one moment (from GET /api/health/memory). */
export interface HeapSample {
  t: number
  heap_used_mb: number
  heap_total_mb: number
  external_mb: number
}

/**
 * Like sampleRss, on a worker thread: samples keep their pace while the main thread is busy.
 * With `appUrl`, also polls the app's /api/health/memory (its JS heap, which RSS does not show;
 * the app refreshes it every MEMORY_CHECK_INTERVAL_MS). Resolves once sampling has begun.
 */
export async function sampleOffThread(
  pid: number,
  options: { everyMs?: number; appUrl?: string; heapEveryMs?: number } = {},
) {
  const worker = new Worker(new URL('./rss-worker.ts', import.meta.url))
  const next = () =>
    new Promise<unknown>((resolve) => {
      worker.onmessage = (event) => resolve(event.data)
    })
  const started = next()
  worker.postMessage({
    pid,
    everyMs: options.everyMs ?? 250,
    appUrl: options.appUrl,
    heapEveryMs: options.heapEveryMs ?? 1000,
  })
  await started
  return {
    async stop(): Promise<{ rss: RssSample[]; heap: HeapSample[] }> {
      const done = next()
      worker.postMessage('stop')
      const samples = (await done) as { rss: RssSample[]; heap: HeapSample[] }
      worker.terminate()
      return samples
    },
  }
}

/**
 * RSS of a process split as the kernel counts it (/proc/<pid>/status, Linux): anonymous memory
 * (heaps, stacks: the process's own) and file-backed pages (executables and libraries paged in,
 * shared with other processes running them and reclaimable), with VmHWM, the peak so far.
 */
export function rssPartsOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => {
    const match = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)
    if (!match) throw new Error(`no ${field} for ${pid}`)
    return Number(match[1]) * 1024
  }
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), peak: kb('VmHWM') }
}
