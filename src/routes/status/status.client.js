// The status page's script: draws the last 5 minutes from /status/history when the page opens,
// then follows /status/stream. Plain JavaScript, inlined by status.page.tsx; it sets text and
// attributes only, never HTML. Times are the server's, so a browser with a wrong clock draws the
// same charts.
;(() => {
  const WINDOW_MS = 5 * 60 * 1000
  const SVG = 'http://www.w3.org/2000/svg'
  // The plot area inside each chart's 640 x 240 viewBox.
  const X0 = 44
  const X1 = 632
  const Y0 = 10
  const Y1 = 220
  const REASONS = ['memory_high', 'memory_critical', 'in_flight', 'out_of_memory', 'body_budget']
  const KINDS = [...REASONS, 'errors_5xx']
  const LABELS = {
    memory_high: 'shed: memory high',
    memory_critical: 'shed: memory critical',
    in_flight: 'shed: too many in flight',
    out_of_memory: 'shed: out of memory',
    body_budget: 'shed: body budget',
    errors_5xx: '5xx errors',
  }

  const $ = (id) => document.getElementById(id)
  /** History samples, oldest first, at most 5 minutes of them. */
  let samples = []
  let intervalMs = 5000
  /** The latest stream event, for the tiles and the threshold lines. */
  let live
  /** Memory at each stream event since the page opened: finer than the history's 5 s. */
  let livePoints = []
  let serverNow = 0

  const MB = 1048576
  // One precision for a whole and its parts, and each part shown as the whole less the others,
  // so the figures on the page add up exactly as printed.
  const digitsFor = (bytes) => (bytes < 10 * MB ? 2 : bytes < 100 * MB ? 1 : 0)
  const inMb = (bytes, digits) => Number((bytes / MB).toFixed(digits))
  const mb = (n, digits) => `${n.toFixed(digits)} MB`
  const num = (n, digits = 0) =>
    n === null || n === undefined ? '–' : n.toLocaleString('en', { maximumFractionDigits: digits })
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : 'never')

  function duration(seconds) {
    const d = Math.floor(seconds / 86400)
    const h = Math.floor((seconds % 86400) / 3600)
    const m = Math.floor((seconds % 3600) / 60)
    if (d > 0) return `${d} d ${h} h`
    if (h > 0) return `${h} h ${m} min`
    return m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`
  }

  function text(id, value) {
    const el = $(id)
    if (el && el.textContent !== value) el.textContent = value
  }

  function element(name, attributes, content) {
    const el = document.createElementNS(SVG, name)
    for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value))
    if (content !== undefined) el.textContent = content
    return el
  }

  const x = (t) => X0 + ((t - (serverNow - WINDOW_MS)) / WINDOW_MS) * (X1 - X0)

  function addSamples(list) {
    const known = new Set(samples.map((s) => s.at))
    for (const sample of list) if (!known.has(sample.at)) samples.push(sample)
    samples.sort((a, b) => a.at - b.at)
    samples = samples.filter((s) => s.at > serverNow - WINDOW_MS)
  }

  function drawGrid(id, top, step, label) {
    const grid = $(id)
    const y = (v) => Y1 - (v / top) * (Y1 - Y0)
    if (grid.dataset.top === String(top)) return
    grid.dataset.top = String(top)
    grid.replaceChildren()
    for (let v = 0; v <= top; v += step) {
      grid.append(element('line', { x1: X0, x2: X1, y1: y(v), y2: y(v) }))
      grid.append(element('text', { x: X0 - 6, y: y(v) + 4, 'text-anchor': 'end' }, label(v)))
    }
  }

  function drawMemory() {
    livePoints = livePoints.filter((p) => p.t > serverNow - WINDOW_MS)
    const since = livePoints.length > 0 ? livePoints[0].t : Infinity
    const points = samples
      .filter((s) => s.at < since)
      .map((s) => ({ t: s.at, usage: s.usage_percent, heap: (s.heap_bytes / s.limit_bytes) * 100 }))
      .concat(livePoints)
    const top = Math.max(100, ...points.map((p) => Math.ceil(p.usage / 25) * 25))
    const y = (percent) => Y1 - (Math.min(percent, top) / top) * (Y1 - Y0)
    drawGrid('grid', top, 25, (v) => `${v}%`)
    const line = (key) =>
      points.map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ')
    if (live) {
      // The critical label sits above its line and the threshold label below its own: the two
      // lines are usually a few points apart.
      const m = live.memory
      for (const [name, percent, dy] of [
        ['threshold', m.threshold_percent, 13],
        ['critical', m.critical_percent, -5],
      ]) {
        const el = $(`${name}-line`)
        el.setAttribute('y1', y(percent).toFixed(1))
        el.setAttribute('y2', y(percent).toFixed(1))
        $(`${name}-label`).setAttribute('y', (y(percent) + dy).toFixed(1))
        text(`${name}-label`, `${name === 'critical' ? 'critical' : 'high'} ${percent}%`)
      }
    }
    $('usage-line').setAttribute('points', line('usage'))
    $('heap-line').setAttribute('points', line('heap'))
    $('chart').dataset.samples = String(points.length)
  }

  /** One stacked bar per history sample: sheds by reason, then the other 5xx answers. */
  function drawEvents() {
    const totals = Object.fromEntries(KINDS.map((k) => [k, 0]))
    const count = (s, kind) => (kind === 'errors_5xx' ? s.errors_5xx : s.shed[kind] || 0)
    let highest = 0
    for (const s of samples) {
      let sum = 0
      for (const kind of KINDS) {
        totals[kind] += count(s, kind)
        sum += count(s, kind)
      }
      highest = Math.max(highest, sum)
    }
    // A scale of 4 steps of a round size: 1, 2, 5, 10, 20, 50...
    let step = 1
    while (step * 4 < highest) step *= String(step).startsWith('2') ? 2.5 : 2
    const top = step * 4
    drawGrid('events-grid', top, step, (v) => num(v))
    const y = (v) => Y1 - (v / top) * (Y1 - Y0)
    const bars = $('events-bars')
    bars.replaceChildren()
    const width = Math.max(1, (intervalMs / WINDOW_MS) * (X1 - X0) - 1)
    for (const s of samples) {
      let stacked = 0
      for (const kind of KINDS) {
        const n = count(s, kind)
        if (n === 0) continue
        const left = Math.max(X0, x(s.at) - width)
        const rect = element('rect', {
          class: kind,
          x: left.toFixed(1),
          width: (x(s.at) - left).toFixed(1),
          y: y(stacked + n).toFixed(1),
          height: (y(stacked) - y(stacked + n)).toFixed(1),
          'data-count': n,
        })
        rect.append(element('title', {}, `${LABELS[kind]}: ${n} at ${clock(s.at)}`))
        bars.append(rect)
        stacked += n
      }
    }
    const legend = $('events-legend')
    legend.replaceChildren(
      ...KINDS.map((kind) => {
        const span = document.createElement('span')
        span.className = kind
        span.id = `events-${kind}`
        span.textContent = `${LABELS[kind]} ${num(totals[kind])}`
        return span
      }),
    )
    const shed = REASONS.reduce((sum, r) => sum + totals[r], 0)
    const chart = $('events')
    chart.dataset.samples = String(samples.length)
    chart.dataset.shed = String(shed)
    chart.dataset.errors = String(totals.errors_5xx)
    const any = shed + totals.errors_5xx > 0
    $('events-empty').setAttribute('visibility', any ? 'hidden' : 'visible')
    text('errors-detail', `${num(totals.errors_5xx)} in the last 5 minutes; shed 503s not counted`)
    return totals
  }

  function drawTiles(f) {
    const m = f.memory
    const p = f.memory_parts
    const badge = $('state')
    badge.dataset.state = m.state
    text('state', m.state)
    text(
      'guard',
      f.guard_enabled
        ? `guard on: high at ${m.threshold_percent}%, critical at ${m.critical_percent}%`
        : 'guard off',
    )
    const d = digitsFor(p.limit_bytes)
    const limit = inMb(p.limit_bytes, d)
    const rss = inMb(p.rss_bytes, d)
    text('limit', `limit ${mb(limit, d)} (${m.limit_source})`)
    text('rss', `${num(m.usage_percent, 1)}%`)
    $('rss').dataset.bytes = String(p.rss_bytes)
    const headroom = limit - rss
    text(
      'rss-detail',
      headroom >= 0
        ? `${mb(rss, d)} of ${mb(limit, d)} limit; ${mb(headroom, d)} headroom`
        : `${mb(rss, d)}: ${mb(-headroom, d)} over the ${mb(limit, d)} limit`,
    )
    const hd = digitsFor(p.rss_bytes)
    const whole = inMb(p.rss_bytes, hd)
    const heap = inMb(p.js_heap_bytes, hd)
    text('heap', mb(heap, hd))
    $('heap').dataset.bytes = String(p.js_heap_bytes)
    text(
      'heap-detail',
      `+ ${mb(whole - heap, hd)} outside it (runtime, code, buffers, WebAssembly) ` +
        `= ${mb(whole, hd)} RSS`,
    )
    text('rps', num(f.requests.per_second, 1))
    text(
      'rps-detail',
      `over ${num(f.requests.window_seconds, 1)} s; ${num(m.in_flight)} in flight; ` +
        `${num(f.requests.total)} since start`,
    )
    const l = f.latency_ms
    text('latency', l ? `${num(l.p50, 1)} / ${num(l.p95, 1)} ms` : '–')
    text(
      'latency-detail',
      l
        ? `mean ${num(l.mean, 1)} ms, p99 ${num(l.p99, 1)} ms; the same ` +
            `${num(f.requests.in_window)} requests, last ${num(f.requests.window_seconds, 1)} s`
        : 'no requests in the last 10 s',
    )
    text('shed', num(m.shed_total))
    const reasons = Object.entries(m.shed_by_reason).filter(([, n]) => n > 0)
    text(
      'shed-detail',
      reasons.length
        ? reasons.map(([r, n]) => `${r.replaceAll('_', ' ')} ${num(n)}`).join(' · ')
        : 'none',
    )
    text('errors', num(f.errors_5xx))
    const db = f.database
    text('pool', `${num(db.in_use)} / ${num(db.max)}`)
    text('pool-detail', `${db.kind}; ${num(db.idle)} idle`)
    text('gc', num(m.gc_runs))
    text(
      'gc-detail',
      m.last_gc_at ? `last at ${clock(m.last_gc_at)}, ${num(m.last_gc_ms, 1)} ms` : 'none yet',
    )
    text('uptime', duration(m.uptime_seconds))
    text('updated', `updated ${clock(f.at)}`)
  }

  function draw() {
    drawMemory()
    drawEvents()
  }

  function connection(live, message) {
    const el = $('connection')
    el.dataset.live = String(live)
    text('connection', message)
  }

  // The history first, so the charts show the last 5 minutes as soon as the page opens.
  fetch(document.body.dataset.history, { cache: 'no-store' })
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`history: ${res.status}`))))
    .then((history) => {
      intervalMs = history.interval_seconds * 1000
      serverNow = Math.max(serverNow, history.now)
      addSamples(history.samples)
      draw()
    })
    .catch(() => connection(false, 'history unavailable'))
    .finally(listen)

  function listen() {
    const source = new EventSource(document.body.dataset.stream)
    source.addEventListener('figures', (event) => {
      connection(true, 'live')
      live = JSON.parse(event.data)
      serverNow = Date.parse(live.at)
      const p = live.memory_parts
      livePoints.push({
        t: serverNow,
        usage: live.memory.usage_percent,
        heap: (p.js_heap_bytes / p.limit_bytes) * 100,
      })
      if (live.history) addSamples([live.history])
      else addSamples([])
      drawTiles(live)
      draw()
    })
    source.addEventListener('error', () => {
      // EventSource reconnects by itself unless the server refused it (401, 503).
      if (source.readyState === EventSource.CLOSED) {
        connection(false, 'disconnected: reload the page')
      } else connection(false, 'reconnecting…')
    })
  }
})()
