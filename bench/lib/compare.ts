import type { Run } from './bench-report'
import { removeBenchWrites } from './database'
import { combine, runLoad, type LoadResult } from './load'
import { round } from './results'
import { cpuSecondsOf } from './rss'
import type { BenchServer } from './servers'
import type { Workload } from './workloads'

export interface Slicing {
  /** Seconds of warm-up per server. */
  warmup: number
  /** Seconds per server in all, over the passes (times the workload's durationFactor). */
  duration: number
  passes: number
}

/**
 * The servers under the same workload in slices, `passes` passes each in turn (the servers in
 * order, then the reverse): on a shared machine, load from other processes comes and goes, and
 * interleaving spreads it over every server instead of whichever ran at the wrong moment.
 */
export async function compare(servers: BenchServer[], w: Workload, slicing: Slicing) {
  const spec = (server: BenchServer, duration: number) => ({
    url: server.url,
    connections: w.connections,
    requests: w.load,
    duration,
  })
  for (const server of servers) {
    if (w.writes) await removeBenchWrites()
    const warm = await runLoad(spec(server, slicing.warmup))
    // Its answers still in flight would write after the next server's clean-up, and take slots
    // that server's load then books again (a 409 counted against it).
    await Bun.sleep(Math.min(warm.latency_ms.max, 10_000))
  }
  const runs = new Map(servers.map((s) => [s, { results: [] as LoadResult[], cpu: 0 }]))
  const slice = (slicing.duration * w.durationFactor) / slicing.passes
  for (let pass = 0; pass < slicing.passes; pass++) {
    for (const server of pass % 2 === 0 ? servers : [...servers].reverse()) {
      if (w.writes) await removeBenchWrites()
      const cpuBefore = cpuSecondsOf(server.pid)
      const result = await runLoad(spec(server, slice))
      // autocannon stops without waiting for answers in flight: let the server finish them
      // before the next slice, and count their CPU time with this one.
      await Bun.sleep(Math.min(result.latency_ms.max, 10_000))
      const entry = runs.get(server)!
      entry.cpu += cpuSecondsOf(server.pid) - cpuBefore
      entry.results.push(result)
    }
  }
  return servers.map((server): Run => {
    const { results, cpu } = runs.get(server)!
    const { histogram: _, ...rest } = combine(results)
    console.log(
      `${w.id.padEnd(4)} c${String(w.connections).padEnd(3)} ${server.name.padEnd(8)} ` +
        `${String(rest.rps).padStart(8)} req/s  p50 ${rest.latency_ms.p50} ms  ` +
        `p99 ${rest.latency_ms.p99} ms  non-2xx ${rest.non_2xx}  errors ${rest.errors}`,
    )
    return { ...rest, cpu_us_per_request: round((cpu / Math.max(rest.responses, 1)) * 1e6, 0) }
  })
}
