/** What a user can do about the usual reasons a database refuses, by code (errno or SQLSTATE). */
const hints: Record<string, string> = {
  ECONNREFUSED: 'is PostgreSQL running and DATABASE_URL\'s host and port right?',
  ENOTFOUND: 'DATABASE_URL\'s host name does not resolve',
  CONNECT_TIMEOUT: 'no answer within DB_CONNECT_TIMEOUT_SECONDS: is the host reachable?',
  '3D000': 'create it (createdb) or fix the name in DATABASE_URL',
  '28000': 'check the user in DATABASE_URL',
  '28P01': 'check the user and password in DATABASE_URL',
  EADDRINUSE: 'another process listens there: stop it or set PORT',
}

/**
 * One line for a failed start: the innermost cause (drizzle wraps the driver's error in a
 * "Failed query: CREATE SCHEMA ..." that says nothing of why), with a hint when the cause is one
 * a user meets on a first run. Never a stack trace.
 */
export function describeStartupError(error: unknown): string {
  let inner = error
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  const message = inner instanceof Error ? inner.message : String(inner)
  const code = (inner as { code?: unknown } | undefined)?.code
  const hint = typeof code === 'string' ? hints[code] : undefined
  return (hint ? `${message} (${hint})` : message).replace(/\s+/g, ' ').trim()
}
