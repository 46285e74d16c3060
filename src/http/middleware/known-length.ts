import type { MiddlewareHandler } from 'hono'
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress'

/**
 * Reads at most `threshold` bytes of a body of unknown length. A body that ends sooner comes back
 * whole with its Content-Length; a longer one comes back as a stream that replays what was read
 * and then continues, so nothing past the threshold is buffered.
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

/**
 * Gives a compressible answer of unknown length that ends within `threshold` bytes its
 * Content-Length, so that hono's compress, mounted just before it with the same threshold, sends
 * it as it is. Kept because compress honours its threshold only when Content-Length is set, which
 * c.json() does not do: without this every small JSON answer would be gzipped, larger than before.
 * Only for clients that take a compression (the others get the answer untouched), and only for
 * the content types compress would compress (an event stream is never read ahead).
 *
 * @example
 * app.use(compress({ threshold: 1024 }))
 * app.use(knownLength({ threshold: 1024 }))
 */
export function knownLength(options: { threshold: number }): MiddlewareHandler {
  const { threshold } = options
  return async function knownLength(c, next) {
    await next()
    if (!acceptsCompression(c.req.header('Accept-Encoding'))) return
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
  }
}
