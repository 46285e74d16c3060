import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import type { Db } from '../../src/db/client'
import * as schema from '../../src/db/schema'

export interface Statement {
  text: string
  params: unknown[]
}

/** A recorded statement whose sentinel parameters are filled with values at run time. */
export interface Template {
  text: string
  bind(values: Record<string, unknown>): unknown[]
}

/**
 * A drizzle instance like the app's (postgres.js, the same schema) that writes down every
 * statement the app's own query builders send, so a bare server can run the very same SQL text.
 */
export function sqlRecorder(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} })
  let log: Statement[] = []
  const db = drizzle({
    client,
    schema,
    logger: { logQuery: (text, params) => void log.push({ text, params }) },
  }) as unknown as Db
  return {
    db,
    client,
    /** The statements `fn` sent, in order. */
    async record(fn: (db: Db) => Promise<unknown>): Promise<Statement[]> {
      log = []
      await fn(db)
      return log
    },
    close: () => client.end({ timeout: 5 }),
  }
}

const same = (a: unknown, b: unknown) =>
  a === b || (a !== null && b !== null && String(a) === String(b))

/**
 * Turns a statement recorded with distinctive sentinel values into a template: every parameter
 * equal to a sentinel becomes that name's slot, every other parameter stays as recorded. Throws
 * when a sentinel is missing or two sentinels are indistinguishable, so a change in the app's
 * query shows up here instead of as silently different SQL.
 */
export function template(statement: Statement, sentinels: Record<string, unknown>): Template {
  const slots = statement.params.map((param) => {
    const names = Object.keys(sentinels).filter((name) => same(sentinels[name], param))
    if (names.length > 1) throw new Error(`ambiguous sentinels ${names.join(', ')}`)
    return names[0]
  })
  for (const name of Object.keys(sentinels)) {
    if (!slots.includes(name)) {
      throw new Error(`sentinel ${name} not found in: ${statement.text}`)
    }
  }
  return {
    text: statement.text,
    bind: (values) =>
      statement.params.map((param, i) => {
        const name = slots[i]
        if (name === undefined) return param
        if (!(name in values)) throw new Error(`no value for ${name}`)
        return values[name]
      }),
  }
}

/** Exactly one recorded statement, as a template. */
export function only(statements: Statement[], sentinels: Record<string, unknown>): Template {
  if (statements.length !== 1) {
    throw new Error(`expected one statement, got ${statements.length}`)
  }
  return template(statements[0]!, sentinels)
}

/** A statement with its parameters written in as SQL literals, for psql's \copy (no binds). */
export function inlined(statement: Statement): string {
  return statement.text.replace(/\$(\d+)/g, (_, n) => {
    const value = statement.params[Number(n) - 1]
    if (value === null || value === undefined) return 'null'
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return `'${String(value).replaceAll("'", "''")}'`
  })
}
