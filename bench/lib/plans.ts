import postgres from 'postgres'
import type { Template } from './recorded-sql'

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Plans?: PlanNode[]
}

export interface PlanSummary {
  query: string
  /** The plan's scans, outermost first, such as "Seq Scan on bookings". */
  scans: string[]
  execution_ms: number
}

function scans(node: PlanNode): string[] {
  const here = /Scan/.test(node['Node Type'])
    ? [
        `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}` +
          `${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`,
      ]
    : []
  return [...here, ...(node.Plans ?? []).flatMap(scans)]
}

/**
 * EXPLAIN ANALYZE of recorded statements with real values: how PostgreSQL runs the queries behind
 * a workload, so a slow one in the results comes with its reason.
 */
export async function explain(
  url: string,
  queries: { query: string; template: Template; values: Record<string, unknown> }[],
): Promise<PlanSummary[]> {
  const db = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const out: PlanSummary[] = []
    for (const q of queries) {
      const params = q.template.bind(q.values) as postgres.ParameterOrJSON<never>[]
      const [row] = await db.unsafe(`explain (analyze, format json) ${q.template.text}`, params)
      type Explained = { 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }
      const [plan] = (row as unknown as Explained)['QUERY PLAN']
      out.push({
        query: q.query,
        scans: [...new Set(scans(plan!.Plan))],
        execution_ms: Math.round(plan!['Execution Time'] * 10) / 10,
      })
    }
    return out
  } finally {
    await db.end()
  }
}
