import type { Context } from 'hono'
import { getConnInfo } from 'hono/bun'
import type { AppEnv } from '../app/context'

const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')

/**
 * The client's address: the connection's peer, or, when the peer is one of TRUSTED_PROXIES, the
 * nearest X-Forwarded-For hop that is not (the one the trusted proxy itself saw; hops further
 * left are whatever the client wrote). Without TRUSTED_PROXIES the header is never read.
 */
export function clientAddress(c: Context<AppEnv>): string {
  let peer: string
  try {
    peer = plain(getConnInfo(c).remote.address ?? 'unknown')
  } catch {
    return 'unknown'
  }
  const trusted = c.var.deps.env.TRUSTED_PROXIES
  if (!trusted.includes(peer)) return peer
  const hops = (c.req.header('X-Forwarded-For') ?? '').split(',').map((h) => plain(h.trim()))
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!
    if (!/^[0-9a-f.:]{2,45}$/i.test(hop)) break
    if (!trusted.includes(hop)) return hop
  }
  return peer
}
