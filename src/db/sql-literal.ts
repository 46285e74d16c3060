/**
 * Ids as the text of a PostgreSQL array, for one `= any($1::bigint[])` parameter in place of a
 * list of them: both drivers pass the text through as it is.
 */
export const idArray = (ids: readonly number[]) => `{${ids.join(',')}}`

/**
 * A value as a PostgreSQL literal, quoted the way the server's own quote_literal() does: quotes
 * doubled, and backslashes doubled inside an E'' string, so the literal reads back as the value
 * whatever standard_conforming_strings says. An untyped quoted literal takes its type from where
 * it stands, as an untyped bind parameter does; a Date is typed timestamptz, as postgres.js binds
 * one. Other values (fractions, objects) throw: a caller's mistake, not something to guess at.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (value instanceof Date) return `${sqlLiteral(value.toISOString())}::timestamptz`
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer literal: ${value}`)
    return String(value)
  }
  if (typeof value === 'bigint') return String(value)
  if (typeof value !== 'string') throw new TypeError(`no literal for a ${typeof value}`)
  // A NUL would end the statement text early on the server.
  if (value.includes('\0')) throw new TypeError('a string literal cannot hold a NUL character')
  const quoted = `'${value.replaceAll("'", "''")}'`
  return value.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted
}

/**
 * A rendered query ({ sql, params }, as drizzle's dialect gives it) as one statement with its
 * parameters written in as literals. For the statements PostgreSQL cannot bind parameters into:
 * `COPY (select ...) TO STDOUT` re-analyses its query without the Bind message's values. `$n`
 * inside quoted literals and identifiers is text, not a parameter, and is left alone.
 */
export function inlineParams(query: { sql: string; params: unknown[] }): string {
  const { sql: text, params } = query
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped one, so scanning to the next quote and going on
      // from there walks over it as two adjacent quoted runs.
      const end = text.indexOf(c, i + 1)
      if (end < 0) throw new SyntaxError('unterminated quoted text in a rendered query')
      out += text.slice(i, end + 1)
      i = end + 1
      continue
    }
    const param = c === '$' ? /^\$(\d+)/.exec(text.slice(i, i + 12)) : null
    if (param) {
      const index = Number(param[1]) - 1
      if (index < 0 || index >= params.length) throw new RangeError(`no value for ${param[0]}`)
      out += sqlLiteral(params[index])
      i += param[0].length
      continue
    }
    out += c
    i++
  }
  return out
}
