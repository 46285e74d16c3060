import type { Context } from 'hono'
import { getConnInfo } from 'hono/bun'

/** The peer address of the connection; proxies' X-Forwarded-For is not trusted (it is spoofable). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}
