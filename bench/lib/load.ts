import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { LOAD_CPU, pinned } from './cpus'

export interface LoadRequest {
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: unknown
  /** Sends a booking of this venue in an hour slot no other request of the run uses. */
  booking?: { venue_id: number }
}

export interface LoadSpec {
  url: string
  connections: number
  duration: number
  overallRate?: number
  timeout?: number
  timelineSeconds?: number
  /** The first booking slot (ISO instant) for `booking` requests. */
  slotBase?: string
  requests: LoadRequest[]
}

export interface LoadResult {
  responses: number
  rps: number
  latency_ms: { p50: number; p90: number; p95: number; p99: number; max: number; mean: number }
  status: Record<string, number>
  non_2xx: number
  errors: number
  timeouts: number
  duration_s: number
  timeline?: { t: number; responses: number; non_2xx: number; p95_ms: number }[]
  /** The latency histogram in microseconds, HdrHistogram compressed base64. */
  histogram?: string
}

const script = join(import.meta.dir, 'load.cjs')

/**
 * Runs autocannon in a Node process of its own (on the load generator's core when pinning): the
 * load generator keeps its own event loop and heap, so its memory never shows up in the server's
 * figures.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = Bun.spawn(pinned(['node', script, JSON.stringify(spec)], LOAD_CPU), {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err || out}`)
  return JSON.parse(out) as LoadResult
}

/** Answers with a 2xx status. */
export const okResponses = (r: LoadResult): number =>
  Object.entries(r.status)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0)

/** The share of answers that were 2xx, counting connection errors and time-outs as failures. */
export function successRate(r: LoadResult): number {
  const attempts = r.responses + r.errors
  return attempts === 0 ? 0 : okResponses(r) / attempts
}

// autocannon's own histogram library, resolved from autocannon's dependencies (as load.cjs does).
const requireHere = createRequire(import.meta.path)
const hdr: typeof import('hdr-histogram-js') = requireHere(
  requireHere.resolve('hdr-histogram-js', {
    paths: [dirname(requireHere.resolve('autocannon'))],
  }),
)

/**
 * One result from several runs against the same server (slices interleaved with another
 * server's): counts add up, req/s is over the summed run time, latency percentiles come from
 * the merged histograms, not from averaging percentiles.
 */
export function combine(runs: LoadResult[]): LoadResult {
  const merged = hdr.build({ numberOfSignificantValueDigits: 3, autoResize: true })
  const status: Record<string, number> = {}
  let responses = 0
  let errors = 0
  let timeouts = 0
  let seconds = 0
  for (const run of runs) {
    if (!run.histogram) throw new Error('a run without its histogram cannot be combined')
    const h = hdr.decodeFromCompressedBase64(run.histogram)
    merged.add(h)
    h.destroy()
    for (const [code, n] of Object.entries(run.status)) status[code] = (status[code] ?? 0) + n
    responses += run.responses
    errors += run.errors
    timeouts += run.timeouts
    seconds += run.duration_s
  }
  const ms = (us: number) => Math.round(us) / 1000
  const result: LoadResult = {
    responses,
    rps: Math.round((responses / seconds) * 10) / 10,
    latency_ms: {
      p50: ms(merged.getValueAtPercentile(50)),
      p90: ms(merged.getValueAtPercentile(90)),
      p95: ms(merged.getValueAtPercentile(95)),
      p99: ms(merged.getValueAtPercentile(99)),
      max: ms(merged.maxValue),
      mean: ms(merged.mean),
    },
    status,
    non_2xx: Object.entries(status)
      .filter(([code]) => !code.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0),
    errors,
    timeouts,
    duration_s: Math.round(seconds * 100) / 100,
  }
  merged.destroy()
  return result
}
