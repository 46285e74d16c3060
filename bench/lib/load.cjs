// Runs one autocannon load under Node (its home runtime) and prints the result as one JSON line.
//
// Input: a JSON spec in argv[2]:
//   { url, connections, duration, overallRate?, timeout?, timelineSeconds?, requests: [...] }
// Each request is { method?, path, headers?, body?, booking? }. A path or body may hold the
// placeholder {rand:N} (a random integer 1..N). A request with `booking: { venue_id }` sends a
// booking of that venue in an hour-long slot no other request of the run uses (hour n after
// `slotBase`, an ISO instant), so creations never overlap. autocannon cycles through `requests`
// in order on every connection, so repeating an entry weights it in a mix.
//
// Latencies are kept in microseconds in autocannon's own histogram library (autocannon's summary
// stops at whole milliseconds and has no p95). Output: responses, rps, latency_ms (p50 p90 p95
// p99 max mean), status counts, errors, timeouts, duration_s, and, with timelineSeconds, a
// timeline of {t, responses, non_2xx, p95_ms} per window; `histogram` is the whole latency
// histogram (HdrHistogram compressed base64), so the caller can merge several runs exactly.
'use strict'
const { dirname } = require('node:path')
const autocannon = require('autocannon')
// Resolved from autocannon's own dependencies, so it is the very version autocannon uses.
const hdr = require(
  require.resolve('hdr-histogram-js', { paths: [dirname(require.resolve('autocannon'))] }),
)

const spec = JSON.parse(process.argv[2])
const slotBase = Date.parse(spec.slotBase ?? '2040-01-01T00:00:00Z')
let slot = 0

const fill = (text) =>
  text.replace(/\{rand:(\d+)\}/g, (_, n) => String(1 + Math.floor(Math.random() * Number(n))))

const requests = spec.requests.map((r) => ({
  method: r.method ?? 'GET',
  setupRequest: (req) => {
    const out = { ...req, method: r.method ?? 'GET', path: fill(r.path), headers: { ...r.headers } }
    let body = r.body === undefined ? undefined : fill(JSON.stringify(r.body))
    if (r.booking) {
      const start = new Date(slotBase + slot++ * 3_600_000)
      const end = new Date(start.getTime() + 3_600_000)
      body = JSON.stringify({
        ...r.booking,
        start_datetime: start.toISOString(),
        end_datetime: end.toISOString(),
      })
    }
    if (body !== undefined) {
      out.body = body
      out.headers['content-type'] = 'application/json'
    }
    return out
  },
}))

const histogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  })

const all = histogram()
const status = {}
let responses = 0
const windowSeconds = spec.timelineSeconds ?? 0
const timeline = []
let current = { responses: 0, non2xx: 0, hist: histogram() }
const started = process.hrtime.bigint()
const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9

const ms = (us) => Math.round(us) / 1000
const closeWindow = () => {
  timeline.push({
    t: Math.round(elapsed()),
    responses: current.responses,
    non_2xx: current.non2xx,
    p95_ms: ms(current.hist.getValueAtPercentile(95)),
  })
  current.hist.destroy()
  current = { responses: 0, non2xx: 0, hist: histogram() }
}
const ticker = windowSeconds > 0 ? setInterval(closeWindow, windowSeconds * 1000) : undefined

const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections ?? 32,
    duration: spec.duration ?? 10,
    overallRate: spec.overallRate,
    timeout: spec.timeout ?? 10,
    requests,
  },
  (error, result) => {
    if (ticker) {
      clearInterval(ticker)
      if (current.responses > 0) closeWindow()
    }
    if (error) {
      console.error(error)
      process.exit(1)
    }
    const seconds = elapsed()
    const non2xx = Object.entries(status)
      .filter(([code]) => !code.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0)
    process.stdout.write(
      `${JSON.stringify({
        responses,
        rps: Math.round((responses / seconds) * 10) / 10,
        latency_ms: {
          p50: ms(all.getValueAtPercentile(50)),
          p90: ms(all.getValueAtPercentile(90)),
          p95: ms(all.getValueAtPercentile(95)),
          p99: ms(all.getValueAtPercentile(99)),
          max: ms(all.maxValue),
          mean: ms(all.mean),
        },
        status,
        non_2xx: non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        duration_s: Math.round(seconds * 100) / 100,
        timeline: windowSeconds > 0 ? timeline : undefined,
        histogram: hdr.encodeIntoCompressedBase64(all),
      })}\n`,
    )
  },
)

instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  const us = Math.max(1, Math.round(responseTime * 1000))
  responses++
  status[statusCode] = (status[statusCode] ?? 0) + 1
  all.recordValue(us)
  if (windowSeconds > 0) {
    current.responses++
    if (statusCode < 200 || statusCode > 299) current.non2xx++
    current.hist.recordValue(us)
  }
})
process.once('SIGINT', () => instance.stop())
