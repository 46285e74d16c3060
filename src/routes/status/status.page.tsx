import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { raw } from 'hono/html'

/** Plain browser JavaScript, inlined so the page needs no other request and no build step. */
const script = readFileSync(join(import.meta.dir, 'status.client.js'), 'utf8')

const css = `
:root { color-scheme: light dark; --ok: #1a7f37; --high: #b35900; --critical: #c62828;
  --line: #1f6feb; --heap: #8957e5; --muted: #6e7781; --card: rgba(127,127,127,.08); }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 15px/1.45 system-ui, sans-serif; max-width: 70rem;
  margin-inline: auto; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem 1rem; }
h1 { font-size: 1.3rem; margin: 0; }
.badge { display: inline-block; padding: .15rem .7rem; border-radius: 1rem; color: #fff;
  font-weight: 600; text-transform: uppercase; letter-spacing: .04em; background: var(--muted); }
.badge[data-state=ok] { background: var(--ok); }
.badge[data-state=high] { background: var(--high); }
.badge[data-state=critical] { background: var(--critical); }
.connection { color: var(--muted); font-size: .9rem; }
.connection[data-live=false] { color: var(--critical); }
section.chart { margin: 1.25rem 0; padding: 1rem; background: var(--card); border-radius: .5rem; }
section.chart h2, .tile h2 { margin: 0 0 .5rem; font-size: .8rem; font-weight: 600;
  text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
svg { width: 100%; height: auto; display: block; }
svg text { font-size: 13px; fill: var(--muted); }
.grid line { stroke: var(--muted); stroke-opacity: .25; }
.limit { stroke-width: 1.5; stroke-dasharray: 6 4; }
.limit.high { stroke: var(--high); }
.limit.critical { stroke: var(--critical); }
text.high { fill: var(--high); }
text.critical { fill: var(--critical); }
polyline { fill: none; stroke-width: 2; stroke-linejoin: round; }
#usage-line { stroke: var(--line); }
#heap-line { stroke: var(--heap); stroke-width: 1.5; }
.legend { display: flex; flex-wrap: wrap; gap: .2rem 1.25rem; font-size: .85rem;
  color: var(--muted); margin-top: .25rem; }
.legend .rss::before, .legend .heap::before { content: ''; display: inline-block; width: 1rem;
  height: 3px; margin-right: .35rem; vertical-align: middle; background: var(--line); }
.legend .heap::before { background: var(--heap); }
#events-empty { fill: var(--muted); }
.tiles { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.tile { padding: 1rem; background: var(--card); border-radius: .5rem; }
.tile .big { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile p { margin: .25rem 0 0; color: var(--muted); font-size: .9rem; }
.tile ul { margin: .25rem 0 0; padding-left: 1.1rem; color: var(--muted); font-size: .9rem; }
.charts { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr));
  margin: 1.25rem 0; }
.charts section.chart { margin: 0; }
rect.memory_high, .legend .memory_high::before { fill: var(--high); background: var(--high); }
rect.memory_critical, .legend .memory_critical::before { fill: var(--critical);
  background: var(--critical); }
rect.in_flight, .legend .in_flight::before { fill: #0a7ea4; background: #0a7ea4; }
rect.out_of_memory, .legend .out_of_memory::before { fill: #6f42c1; background: #6f42c1; }
rect.body_budget, .legend .body_budget::before { fill: #bf3989; background: #bf3989; }
rect.errors_5xx, .legend .errors_5xx::before { fill: #57606a; background: #57606a; }
.legend span[class]::before { content: ''; display: inline-block; width: .7rem; height: .7rem;
  margin-right: .35rem; vertical-align: -.05rem; border-radius: 2px; }
`

const Tile = (props: { title: string; id: string; detail?: string }) => (
  <div class="tile">
    <h2>{props.title}</h2>
    <div class="big" id={props.id}>
      –
    </div>
    {props.detail ? <p id={props.detail}></p> : null}
  </div>
)

/** The x axis both charts share: their window runs from five minutes ago to now. */
const TimeAxis = () => (
  <>
    <text x="44" y="236">
      −5 min
    </text>
    <text x="632" y="236" text-anchor="end">
      now
    </text>
  </>
)

export interface StatusPageProps {
  /** Allows the page's own inline style and script under its Content-Security-Policy. */
  nonce: string
  /** Where the page's EventSource connects, with the token it was opened with. */
  streamUrl: string
  /** Where the page reads the last 5 minutes when it opens, with the same token. */
  historyUrl: string
}

/**
 * The status page's HTML; the script draws the last 5 minutes from the history, then the figures
 * the event stream sends.
 */
export function StatusPage({ nonce, streamUrl, historyUrl }: StatusPageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>Status · Venue booking API</title>
        <link rel="icon" href="data:," />
        <style nonce={nonce}>{raw(css)}</style>
      </head>
      <body data-stream={streamUrl} data-history={historyUrl}>
        <header>
          <h1>Venue booking API</h1>
          <span class="badge" id="state" data-state="unknown">
            connecting
          </span>
          <span id="guard" class="connection"></span>
          <span id="connection" class="connection" data-live="false">
            connecting…
          </span>
        </header>
        <noscript>
          <p>
            This page draws with JavaScript. The same figures are at{' '}
            <a href="/api/health/memory">/api/health/memory</a> and <a href="/metrics">/metrics</a>.
          </p>
        </noscript>
        <div class="charts">
          <section class="chart">
            <h2 id="chart-title">Memory, last 5 minutes, % of the limit</h2>
            <svg id="chart" viewBox="0 0 640 240" role="img" aria-labelledby="chart-title">
              <g class="grid" id="grid"></g>
              <line class="limit high" id="threshold-line" x1="44" x2="632" y1="-10" y2="-10" />
              <line class="limit critical" id="critical-line" x1="44" x2="632" y1="-10" y2="-10" />
              <text class="high" id="threshold-label" x="628" y="-10" text-anchor="end"></text>
              <text class="critical" id="critical-label" x="628" y="-10" text-anchor="end"></text>
              <polyline id="heap-line" points="" />
              <polyline id="usage-line" points="" />
              <TimeAxis />
            </svg>
            <div class="legend">
              <span class="rss">RSS</span>
              <span class="heap">JS heap (part of RSS)</span>
              <span id="limit"></span>
            </div>
          </section>
          <section class="chart">
            <h2 id="events-title">Shed requests and 5xx errors per 5 s, last 5 minutes</h2>
            <svg id="events" viewBox="0 0 640 240" role="img" aria-labelledby="events-title">
              <g class="grid" id="events-grid"></g>
              <g id="events-bars"></g>
              <text id="events-empty" x="338" y="120" text-anchor="middle">
                none
              </text>
              <TimeAxis />
            </svg>
            <div class="legend" id="events-legend"></div>
          </section>
        </div>
        <div class="tiles">
          <Tile title="Memory (RSS), % of the limit" id="rss" detail="rss-detail" />
          <Tile title="JS heap, part of RSS" id="heap" detail="heap-detail" />
          <Tile title="Requests / s" id="rps" detail="rps-detail" />
          <Tile title="Latency p50 / p95" id="latency" detail="latency-detail" />
          <Tile title="Shed (503), since start" id="shed" detail="shed-detail" />
          <Tile title="Errors (5xx), since start" id="errors" detail="errors-detail" />
          <Tile title="Database pool" id="pool" detail="pool-detail" />
          <Tile title="Garbage collections" id="gc" detail="gc-detail" />
          <Tile title="Uptime" id="uptime" detail="updated" />
        </div>
        <script nonce={nonce}>{raw(script)}</script>
      </body>
    </html>
  )
}
