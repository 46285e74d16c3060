import fc from 'fast-check'
import { malformedRequests, type DefectSet, type FuzzLimits } from './malformed-requests'
import type { Operation } from './operations'
import { describe, toInit, type FuzzRequest } from './request'
import type { FuzzWorld, Send } from './world'

export interface FuzzOptions {
  send: Send
  operations: Operation[]
  world: FuzzWorld
  limits: FuzzLimits
  /** Requests in all, the first one per operation so every route is covered. */
  runs: number
  seed: number
  /** fast-check runs this many properties side by side, each with its own seed. */
  concurrency: number
  /** Which defects to plant (default `strict`: all but lenient numbers). */
  defects?: DefectSet
}

export interface Failure {
  op: string
  defect: string
  status: number
  problem: string
  request: string
}

export interface FuzzOutcome {
  runs: number
  seed: number
  /** Operations the defect set applies to (all of them for `strict`). */
  operations: number
  byOperation: Record<string, number>
  /** Status counts per kind of defect (the part of the label before the first colon). */
  byDefect: Record<string, Record<string, number>>
  failures: Failure[]
}

const kindOf = (defect: string) => defect.split(':')[0]!.replace(/\[\]/g, '')

/** What is wrong with the answer to a malformed request; undefined for a proper 4xx problem. */
export async function judge(res: Response): Promise<string | undefined> {
  if (res.status < 400) {
    // Not read: a success may be an endless stream (server-sent events).
    await res.body?.cancel()
    return `status ${res.status}`
  }
  const text = await res.text()
  if (res.status > 499) return `status ${res.status}: ${text.slice(0, 200)}`
  const type = res.headers.get('content-type') ?? ''
  if (!type.startsWith('application/problem+json')) return `content-type "${type}"`
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    return 'problem body is not JSON'
  }
  if (
    body.status !== res.status ||
    typeof body.title !== 'string' ||
    typeof body.type !== 'string' ||
    typeof body.detail !== 'string'
  ) {
    return `problem fields missing or wrong: ${text.slice(0, 200)}`
  }
  if (/Failed query|\bselect\b[^"]*\bfrom\b|\n\s+at \S+\.[jt]s:\d+/i.test(text))
    return 'leaks SQL or a stack trace'
  return undefined
}

/**
 * Sends `runs` generated malformed requests (fast-check properties, `concurrency` at a time) and
 * judges every answer: a 4xx problem+json without SQL or stack traces. Never stops at the first
 * failure: every failing answer is collected.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzOutcome> {
  const byOp = malformedRequests(options.operations, options.world, options.limits, options.defects)
  const byOperation: Record<string, number> = {}
  const byDefect: Record<string, Record<string, number>> = {}
  const failures: Failure[] = []

  const exercise = async (req: FuzzRequest) => {
    byOperation[req.op] = (byOperation[req.op] ?? 0) + 1
    let status = 0
    let problem: string | undefined
    try {
      const res = await options.send(req.url, toInit(req))
      status = res.status
      problem = await judge(res)
    } catch (error) {
      problem = `no answer: ${error instanceof Error ? error.message : error}`
    }
    const kind = (byDefect[kindOf(req.defect)] ??= {})
    kind[status] = (kind[status] ?? 0) + 1
    if (problem)
      failures.push({ op: req.op, defect: req.defect, status, problem, request: describe(req) })
  }

  // One of each operation first, so a short run still covers every route.
  const keys = [...byOp.keys()]
  for (const [i, key] of keys.entries()) {
    await fc.check(fc.asyncProperty(byOp.get(key)!.arbitrary, exercise), {
      numRuns: 1,
      seed: options.seed + i,
    })
  }
  const rest = Math.max(0, options.runs - keys.length)
  // Operations with more ways to be malformed (bodies, parameters) get more of the runs.
  const all = fc.oneof(
    ...[...byOp.values()].map(({ arbitrary, ways }) => ({ arbitrary, weight: ways })),
  )
  await Promise.all(
    Array.from({ length: options.concurrency }, (_, i) => {
      const numRuns =
        Math.floor(rest / options.concurrency) + (i < rest % options.concurrency ? 1 : 0)
      return numRuns === 0
        ? undefined
        : fc.check(fc.asyncProperty(all, exercise), {
            numRuns,
            seed: options.seed + keys.length + i,
          })
    }),
  )
  return {
    runs: Object.values(byOperation).reduce((a, b) => a + b, 0),
    seed: options.seed,
    operations: keys.length,
    byOperation,
    byDefect,
    failures,
  }
}

/** Failures grouped by operation and defect, each with its count and one example. */
export function groupFailures(failures: Failure[]) {
  const groups = new Map<string, { count: number; example: Failure }>()
  for (const f of failures) {
    const key = `${f.op} | ${f.defect.replace(/:(?:repeated)$/, '')} | ${f.status}`
    const group = groups.get(key)
    if (group) group.count++
    else groups.set(key, { count: 1, example: f })
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([key, { count, example }]) => ({
      key,
      count,
      status: example.status,
      problem: example.problem,
      request: example.request,
    }))
}
