// The status page's script: listens to /status/stream and draws what it says. Plain JavaScript,
// inlined by status.page.tsx; it sets text and attributes only, never HTML.
;(() => {
  const WINDOW_MS = 5 * 60 * 1000
  const SVG = 'http://www.w3.org/2000/svg'
  // The plot area inside the chart's 640 x 240 viewBox.
  const X0 = 44
  const X1 = 632
  const Y0 = 10
  const Y1 = 220

  const $ = (id) => document.getElementById(id)
  const history = []

  const mb = (bytes) => `${(bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0)} MB`
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

  function drawChart(memory, now) {
    const top = Math.max(100, ...history.map((p) => Math.ceil(p.usage / 25) * 25))
    const y = (percent) => Y1 - (Math.min(percent, top) / top) * (Y1 - Y0)
    const x = (t) => X0 + ((t - (now - WINDOW_MS)) / WINDOW_MS) * (X1 - X0)
    const points = (key) =>
      history.map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ')

    const grid = $('grid')
    if (grid.dataset.top !== String(top)) {
      grid.dataset.top = String(top)
      grid.replaceChildren()
      for (let percent = 0; percent <= top; percent += 25) {
        grid.append(element('line', { x1: X0, x2: X1, y1: y(percent), y2: y(percent) }))
        grid.append(
          element('text', { x: X0 - 6, y: y(percent) + 4, 'text-anchor': 'end' }, `${percent}%`),
        )
      }
    }
    // The critical label sits above its line and the threshold label below its own: the two lines
    // are usually a few points apart.
    for (const [name, percent, dy] of [
      ['threshold', memory.threshold_percent, 13],
      ['critical', memory.critical_percent, -5],
    ]) {
      const line = $(`${name}-line`)
      line.setAttribute('y1', y(percent).toFixed(1))
      line.setAttribute('y2', y(percent).toFixed(1))
      $(`${name}-label`).setAttribute('y', (y(percent) + dy).toFixed(1))
      text(`${name}-label`, `${name === 'critical' ? 'critical' : 'high'} ${percent}%`)
    }
    $('usage-line').setAttribute('points', points('usage'))
    $('heap-line').setAttribute('points', points('heap'))
    $('chart').dataset.samples = String(history.length)
  }

  function render(f) {
    const now = Date.now()
    const m = f.memory
    history.push({
      t: now,
      usage: m.usage_percent,
      heap: (m.heap_used_bytes / m.limit_bytes) * 100,
    })
    while (history.length > 0 && history[0].t < now - WINDOW_MS) history.shift()
    drawChart(m, now)

    const badge = $('state')
    badge.dataset.state = m.state
    text('state', m.state)
    text(
      'guard',
      f.guard_enabled
        ? `guard on: high at ${m.threshold_percent}%, critical at ${m.critical_percent}%`
        : 'guard off',
    )
    text('limit', `limit ${mb(m.limit_bytes)} (${m.limit_source})`)

    text('rss', `${num(m.usage_percent, 1)}%`)
    text('rss-detail', `${mb(m.rss_bytes)} of ${mb(m.limit_bytes)}`)
    text('heap', mb(m.heap_used_bytes))
    text('heap-detail', `of ${mb(m.heap_total_bytes)} heap; ${mb(m.external_bytes)} external`)
    text('rps', num(f.requests.per_second, 1))
    const span = `over ${num(f.requests.window_seconds)} s`
    text('rps-detail', `${span}; ${num(m.in_flight)} in flight; ${num(f.requests.total)} in all`)
    const l = f.latency_ms
    text('latency', l.p50 === null ? '–' : `${num(l.p50, 1)} / ${num(l.p95, 1)} ms`)
    text(
      'latency-detail',
      l.mean === null ? 'no requests in the window' : `mean ${num(l.mean, 1)} ms`,
    )
    text('shed', num(m.shed_total))
    const reasons = Object.entries(m.shed_by_reason).filter(([, n]) => n > 0)
    text(
      'shed-detail',
      reasons.length
        ? reasons.map(([r, n]) => `${r.replaceAll('_', ' ')} ${num(n)}`).join(' · ')
        : 'none',
    )
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

  function connection(live, message) {
    const el = $('connection')
    el.dataset.live = String(live)
    text('connection', message)
  }

  const source = new EventSource(document.body.dataset.stream)
  source.addEventListener('figures', (event) => {
    connection(true, 'live')
    render(JSON.parse(event.data))
  })
  source.addEventListener('error', () => {
    // EventSource reconnects by itself unless the server refused it (401, 503).
    if (source.readyState === EventSource.CLOSED) connection(false, 'disconnected: reload the page')
    else connection(false, 'reconnecting…')
  })
})()
