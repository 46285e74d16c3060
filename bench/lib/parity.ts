import type { LoadRequest } from './load'
import type { Workload } from './workloads'

export interface ParityCheck {
  workload: string
  request: string
  status: [number, number]
  same: boolean
  /** The first differing field, when not the same. */
  difference?: string
}

/** Fields that differ between two correct answers: clocks, and what a write makes anew. */
const volatile = new Set([
  'uptime_seconds',
  'id',
  'start_datetime',
  'end_datetime',
  'created_at',
  'updated_at',
])

function strip(value: unknown, write: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v, write))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'uptime_seconds' && !(write && volatile.has(k)))
        .map(([k, v]) => [k, strip(v, write)]),
    )
  }
  return value
}

function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Bun.deepEquals(a, b, true)) return undefined
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      )
      if (found) return found
    }
  }
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, 200)
  return `${path || '(body)'}: ${show(a)} vs ${show(b)}`
}

const shorten = (path: string) => (path.length > 120 ? `${path.slice(0, 117)}...` : path)

async function send(base: string, r: LoadRequest, slotHour: number) {
  const path = r.path.replace(/\{rand:(\d+)\}/g, (_, n) => String(Math.min(Number(n), 424_242)))
  let body: string | undefined
  if (r.booking) {
    const start = new Date(Date.UTC(2045, 0, 1, slotHour))
    const end = new Date(start.getTime() + 3_600_000)
    body = JSON.stringify({
      ...r.booking,
      start_datetime: start.toISOString(),
      end_datetime: end.toISOString(),
    })
  }
  const res = await fetch(`${base}${path}`, {
    method: r.method ?? 'GET',
    headers: { ...r.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  })
  return { path, status: res.status, link: res.headers.get('link'), body: await res.json() }
}

/**
 * Sends each workload's first request to the app and to the ceiling and compares the answers:
 * status, Link header and JSON body (bookings a write creates are compared field by field, bar
 * their new id and times). The ratio of the two servers means something only if they agree.
 */
export async function checkParity(
  appUrl: string,
  ceilingUrl: string,
  workloads: Workload[],
): Promise<ParityCheck[]> {
  const checks: ParityCheck[] = []
  let hour = 0
  for (const w of workloads) {
    const r = w.load[0]!
    const write = Boolean(r.booking)
    const a = await send(appUrl, r, hour++)
    const c = await send(ceilingUrl, r, hour++)
    const difference =
      a.status !== c.status
        ? `status ${a.status} vs ${c.status}`
        : a.link !== c.link
          ? `Link ${a.link} vs ${c.link}`
          : firstDifference(strip(a.body, write), strip(c.body, write))
    checks.push({
      workload: w.id,
      request: `${r.method ?? 'GET'} ${shorten(a.path)}`,
      status: [a.status, c.status],
      same: difference === undefined,
      ...(difference ? { difference } : {}),
    })
  }
  return checks
}
