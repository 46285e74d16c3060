import type { Sample } from './load'

export const ms = (n: number) => Math.round(n)

/** The p-th percentile (0..100) by nearest rank; 0 for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export interface LatencySummary {
  count: number
  p50_ms: number
  p99_ms: number
  max_ms: number
}

export function latency(samples: Sample[]): LatencySummary {
  const values = samples.map((s) => s.end - s.start)
  return {
    count: samples.length,
    p50_ms: ms(percentile(values, 50)),
    p99_ms: ms(percentile(values, 99)),
    max_ms: ms(values.length ? Math.max(...values) : 0),
  }
}

/** How many answers of each status (`error` for no answer), e.g. `{ "201": 40, "503": 12 }`. */
export function statusCounts(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const s of samples) {
    const key = s.status === 0 ? `error:${s.error ?? 'unknown'}` : String(s.status)
    counts[key] = (counts[key] ?? 0) + 1
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}

export const started = (samples: Sample[], from: number, to: number) =>
  samples.filter((s) => s.start >= from && s.start < to)
