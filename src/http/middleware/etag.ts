import { etag as honoEtag, RETAINED_304_HEADERS } from 'hono/etag'

/**
 * A body's 64-bit xxHash, as the digest hono's etag makes its tag of. An ETag only tells
 * versions of one resource apart, which needs no cryptographic hash; hono's default, a WebCrypto
 * SHA-1 per answer, took 7 % of the CPU of an uncached public venues page under load
 * (`bun --cpu-prof`, the benchmark's W4).
 */
function xxHash64(body: Uint8Array): ArrayBuffer {
  const digest = new ArrayBuffer(8)
  new DataView(digest).setBigUint64(0, BigInt.asUintN(64, BigInt(Bun.hash.xxHash64(body))))
  return digest
}

/**
 * What a 304 keeps beside the headers RFC 9110 15.4.5 lists: the request id and the CORS answer,
 * set before the route ran, so that a browser revalidating from another origin may still read
 * the answer and the log's request id still matches it.
 */
const retainedHeaders = [
  ...RETAINED_304_HEADERS,
  'x-request-id',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]

/**
 * hono's etag (strong tags, 304 on a matching If-None-Match) with the digest and the 304
 * headers above.
 *
 * @example
 * venuesRouter.use('/api/venues', etag())
 */
export const etag = () => honoEtag({ generateDigest: xxHash64, retainedHeaders })
