import { randomBytes } from 'node:crypto'
import { html } from 'hono/html'
import { streamSSE } from 'hono/streaming'
import type { AppRouteHandler } from '../../app/context'
import { presentedToken } from './operator-token'
import { readFigures } from './status.figures'
import { StatusPage } from './status.page'
import { STREAM_INTERVAL_MS, type history, type page, type stream } from './status.routes'
import { untilShutdown } from './until-shutdown'

export const getPage: AppRouteHandler<typeof page> = (c) => {
  const nonce = randomBytes(16).toString('base64')
  const token = presentedToken(c)
  const withToken = (path: string) => (token ? `${path}?token=${encodeURIComponent(token)}` : path)
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
      "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; " +
      "frame-ancestors 'none'",
  )
  c.header('Cache-Control', 'no-store')
  return c.html(html`<!doctype html>${(
      <StatusPage
        nonce={nonce}
        streamUrl={withToken('/status/stream')}
        historyUrl={withToken('/status/history')}
      />
    )}`, 200)
}

/** Waits `ms`, or less when `signal` aborts; the timer alone never keeps the process alive. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
  })
}

export const getStream: AppRouteHandler<typeof stream> = (c) => {
  const { deps } = c.var
  // Proxies such as nginx buffer responses unless told not to; events must arrive as sent.
  c.header('X-Accel-Buffering', 'no')
  return streamSSE(c, async (sse) => {
    const ended = new AbortController()
    const end = () => ended.abort()
    sse.onAbort(end)
    c.req.raw.signal.addEventListener('abort', end, { once: true })
    const stopWatching = untilShutdown(deps.shutdown, end)
    try {
      for (let id = 1; !ended.signal.aborted; id++) {
        await sse.writeSSE({
          event: 'figures',
          id: String(id),
          data: JSON.stringify(readFigures(deps)),
          // How long a browser waits before reconnecting after the stream broke.
          retry: id === 1 ? 2000 : undefined,
        })
        await pause(STREAM_INTERVAL_MS, ended.signal)
      }
    } finally {
      stopWatching()
      c.req.raw.signal.removeEventListener('abort', end)
    }
  })
}

export const getHistory: AppRouteHandler<typeof history> = (c) => {
  const { history } = c.var.deps
  c.header('Cache-Control', 'no-store')
  return c.json(
    {
      interval_seconds: history.intervalMs / 1000,
      capacity: history.capacity,
      now: Date.now(),
      samples: history.samples(),
    },
    200,
  )
}
