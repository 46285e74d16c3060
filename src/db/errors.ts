/** SQLSTATE of a database error, looking through drizzle's DrizzleQueryError wrapper. */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

// 40001 serialization failure, 40P01 deadlock, 55P03 lock not available (lock_timeout).
const transientCodes = new Set(['40001', '40P01', '55P03'])

/** A conflict PostgreSQL resolved by aborting one transaction: running it again may succeed. */
export const isTransientConflict = (error: unknown) => transientCodes.has(sqlState(error) ?? '')

const outageCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'QUERY_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * True when the error means the database cannot be reached or is shutting down / overloaded,
 * which the client should see as 503, not as a bug.
 */
export function isDatabaseOutage(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') {
      if (outageCodes.has(code)) return true
      // 08: connection exception, 53: insufficient resources, 57P0x: shutdown, 57014: timeout
      if (/^(08|53)/.test(code) || /^57P0/.test(code) || code === '57014') return true
    }
    current = (current as { cause?: unknown }).cause
  }
  return false
}
