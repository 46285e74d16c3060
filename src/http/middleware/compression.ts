import type { Context, MiddlewareHandler } from 'hono'
import { COMPRESSIBLE_CONTENT_TYPE_REGEX, compress } from 'hono/compress'

/**
 * Reads at most `threshold` bytes of a body of unknown length. A body that ends sooner comes back
 * whole with its Content-Length (so it is not compressed); a longer one comes back as a stream
 * that replays what was read and then continues, so nothing past the threshold is buffered.
 */
async function withKnownSmallLength(res: Response, threshold: number): Promise<Response> {
  const reader = res.body!.getReader()
  const head: Uint8Array[] = []
  let size = 0
  while (size < threshold) {
    const { done, value } = await reader.read()
    if (done) {
      const whole = new Response(Buffer.concat(head, size), res)
      whole.headers.set('Content-Length', String(size))
      return whole
    }
    head.push(value)
    size += value.byteLength
  }
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = head.shift()
      if (chunk) return controller.enqueue(chunk)
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
  return new Response(rest, res)
}

const acceptsCompression = (header: string | undefined) =>
  !!header && /gzip|deflate|\*/i.test(header)

const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i
const VARIES_ON_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i

/**
 * Whether hono's compress would compress this response for a client that asks (its own rules),
 * and so marks it `Vary: Accept-Encoding` whatever this client asked.
 */
function compressible(c: Context, res: Response, threshold: number): boolean {
  const length = res.headers.get('Content-Length')
  const cacheControl = res.headers.get('Cache-Control')
  return (
    res.status !== 206 &&
    !res.headers.has('Content-Encoding') &&
    !res.headers.has('Transfer-Encoding') &&
    c.req.method !== 'HEAD' &&
    !(length && Number(length) < threshold) &&
    COMPRESSIBLE_CONTENT_TYPE_REGEX.test(res.headers.get('Content-Type') ?? '') &&
    !(cacheControl && NO_TRANSFORM.test(cacheControl))
  )
}

/**
 * Adds `Vary: Accept-Encoding` in place. hono's compress adds it through `c.header`, which builds
 * the whole response again once it exists; with the header already there, compress leaves it be.
 */
function varyOnEncoding(c: Context, threshold: number) {
  const res = c.res
  const vary = res.headers.get('Vary')
  if (vary === '*' || (vary && VARIES_ON_ENCODING.test(vary))) return
  if (compressible(c, res, threshold)) res.headers.append('Vary', 'Accept-Encoding')
}

/**
 * gzip or deflate, as the client's Accept-Encoding asks, for responses of at least `threshold`
 * bytes. hono's compress only honours its threshold when Content-Length is set, which c.json()
 * does not set; this finds the length out first, by reading no more than the threshold. A client
 * that takes neither encoding skips compress altogether.
 *
 * @example
 * app.use(compression({ threshold: 1024 }))
 */
export function compression(options: { threshold: number }): MiddlewareHandler {
  const { threshold } = options
  const inner = compress({ threshold })
  return async function compression(c, next) {
    if (!acceptsCompression(c.req.header('Accept-Encoding'))) {
      await next()
      varyOnEncoding(c, threshold)
      return
    }
    return inner(c, async () => {
      await next()
      const res = c.res
      if (
        res.body &&
        c.req.method !== 'HEAD' &&
        !res.headers.has('Content-Length') &&
        !res.headers.has('Content-Encoding') &&
        !res.headers.has('Transfer-Encoding') &&
        COMPRESSIBLE_CONTENT_TYPE_REGEX.test(res.headers.get('Content-Type') ?? '')
      ) {
        c.res = await withKnownSmallLength(res, threshold)
      }
      varyOnEncoding(c, threshold)
    })
  }
}
