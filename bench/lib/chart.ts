import type { RssSample } from './rss'

export interface Series {
  label: string
  samples: RssSample[]
  color?: string
}

const palette = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700']
const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => `${k}="${typeof v === 'number' ? Math.round(v * 10) / 10 : v}"`)
    .join(' ')
const line = (a: Record<string, string | number>) => `<line ${attrs(a)}/>`
const text = (a: Record<string, string | number>, body: string) =>
  `<text ${attrs(a)}>${escape(body)}</text>`

/**
 * A small self-contained SVG line chart of RSS over time (no chart library, no network): one
 * line per series, a legend, and optional labelled vertical marks (e.g. where a window starts).
 */
export function rssChartSvg(
  series: Series[],
  title: string,
  options: { marks?: { t: number; label: string }[]; caption?: string } = {},
): string {
  const { marks = [], caption = 'seconds' } = options
  const w = 800
  const h = 320
  const pad = { l: 64, r: 20, t: 34, b: 44 }
  const all = series.flatMap((s) => s.samples)
  const maxT = Math.max(1, ...all.map((s) => s.t))
  const maxMb = Math.max(1, ...all.map((s) => s.rss / 1048576)) * 1.15
  const x = (t: number) => pad.l + (t / maxT) * (w - pad.l - pad.r)
  const y = (mb: number) => h - pad.b - (mb / maxMb) * (h - pad.t - pad.b)
  const bottom = h - pad.b

  const grid = Array.from({ length: 5 }, (_, i) => (maxMb * i) / 4).map(
    (v) =>
      line({ x1: pad.l, x2: w - pad.r, y1: y(v), y2: y(v), stroke: '#eee' }) +
      text({ x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v.toFixed(0)} MB`),
  )
  const xTicks = Array.from({ length: 6 }, (_, i) => (maxT * i) / 5).map((v) =>
    text({ x: x(v), y: bottom + 16, 'text-anchor': 'middle' }, `${v.toFixed(0)} s`),
  )
  const markLines = marks.map(
    (m) =>
      line({
        x1: x(m.t),
        x2: x(m.t),
        y1: pad.t,
        y2: bottom,
        stroke: '#888',
        'stroke-dasharray': '4 3',
      }) +
      text({ x: x(m.t) + 4, y: bottom - 6, fill: '#555' }, m.label),
  )
  const lines = series.map((s, i) => {
    const color = s.color ?? palette[i % palette.length]!
    const points = s.samples
      .map((p) => `${x(p.t).toFixed(1)},${y(p.rss / 1048576).toFixed(1)}`)
      .join(' ')
    const legendX = pad.l + 10 + i * 190
    return [
      `<polyline ${attrs({ fill: 'none', stroke: color, 'stroke-width': 2, points })}/>`,
      `<rect ${attrs({ x: legendX, y: pad.t + 4, width: 12, height: 12, fill: color })}/>`,
      text({ x: legendX + 18, y: pad.t + 14 }, s.label),
    ].join('\n')
  })
  return [
    `<svg ${attrs({ xmlns: 'http://www.w3.org/2000/svg', width: w, height: h })} ` +
      'font-family="sans-serif" font-size="12">',
    `<rect width="${w}" height="${h}" fill="white"/>`,
    text({ x: w / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14 }, title),
    ...grid,
    ...xTicks,
    text({ x: w / 2, y: h - 8, 'text-anchor': 'middle', fill: '#555' }, caption),
    ...markLines,
    ...lines,
    '</svg>',
    '',
  ].join('\n')
}
