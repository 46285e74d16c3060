// `bun run bench:uploads`: 4 clients at once, each POSTing 10 files of 10 MB in one multipart
// request to /api/uploads (field `files`), with the app's RSS growth and the throughput.
// Results: bench/results/<date>-uploads.{md,json,svg}.
//
//   bun run bench:uploads
import postgres from 'postgres'
import { rssChartSvg } from './lib/chart'
import { describeBenchDatabase, prepareBenchDatabase } from './lib/database'
import { randomPng } from './lib/png'
import { preamble, round, table } from './lib/results'
import { benchArgs, runBench, type Measured, type Stamped } from './lib/script'
import { mb, peakRssOf, resetPeakRss, rssOf, sampleOffThread } from './lib/rss'
import {
  MEMORY_LIMIT_MB,
  USER_PASSWORD,
  login,
  memoryStats,
  startApp,
  type BenchServer,
  type Session,
} from './lib/servers'


const args = benchArgs({})
const CLIENTS = 4
const FILES_PER_CLIENT = 10
const FILE_BYTES = 10_000_000
const TARGET_GROWTH_MB = 30
const SETTLE_MS = 3000
const SAMPLE_MS = 100


interface Uploaded {
  id: number
  mime: string
  size_bytes: number
  sha256: string
}

async function upload(appUrl: string, user: Session, files: Uint8Array[], tag: string) {
  const form = new FormData()
  files.forEach((bytes, i) =>
    form.append('files', new Blob([bytes], { type: 'image/png' }), `${tag}-${i + 1}.png`),
  )
  const started = performance.now()
  const res = await fetch(`${appUrl}/api/uploads`, {
    method: 'POST',
    headers: user.headers,
    body: form,
  })
  const body = (await res.json()) as { items?: Uploaded[] }
  return {
    status: res.status,
    items: body.items ?? [],
    seconds: (performance.now() - started) / 1000,
    body,
  }
}

/**
 * `sets.length` clients at once, client i sending sets[i] in one request; RSS growth is the peak
 * (the kernel's VmHWM, reset first) over the RSS after 3 s idle.
 */
async function measure(app: BenchServer, users: Session[], sets: Uint8Array[][], tag: string) {
  await Bun.sleep(SETTLE_MS)
  const baseline = rssOf(app.pid)
  const exactPeak = resetPeakRss(app.pid)
  const sampler = await sampleOffThread(app.pid, { everyMs: SAMPLE_MS, appUrl: app.url })
  const t0 = performance.now()
  const results = await Promise.all(
    sets.map((files, i) => upload(app.url, users[i]!, files, `${tag}-${i + 1}`)),
  )
  const seconds = (performance.now() - t0) / 1000
  const { rss: samples, heap: heapSamples } = await sampler.stop()
  const peak = Math.max(exactPeak ? peakRssOf(app.pid) : 0, ...samples.map((s) => s.rss))
  const stored = results.flatMap((r) => r.items)
  const files = sets.flat()
  const totalBytes = files.reduce((sum, f) => sum + f.byteLength, 0)
  return {
    clients: sets.length,
    files: files.length,
    ids: stored.map((i) => i.id),
    requests: results.map((r, i) => ({
      client: i + 1,
      status: r.status,
      files: r.items.length,
      seconds: round(r.seconds, 3),
      ...(r.status === 201 ? {} : { problem: r.body }),
    })),
    all_stored:
      results.every((r, i) => r.status === 201 && r.items.length === sets[i]!.length) &&
      new Set(stored.map((i) => i.sha256)).size === files.length &&
      stored.every((i) => i.mime === 'image/png' && i.size_bytes === FILE_BYTES),
    total_mb: round(totalBytes / 1e6, 1),
    seconds: round(seconds, 3),
    throughput_mb_s: round(totalBytes / 1e6 / seconds, 1),
    rss: {
      before_mb: mb(baseline),
      peak_mb: mb(peak),
      growth_mb: mb(peak - baseline),
      after_mb: mb(rssOf(app.pid)),
      peak_from: exactPeak ? 'VmHWM (reset before the uploads)' : `samples every ${SAMPLE_MS} ms`,
    },
    heap: {
      total_start_mb: heapSamples[0]?.heap_total_mb ?? 0,
      total_max_mb: Math.max(...heapSamples.map((h) => h.heap_total_mb)),
      used_max_mb: Math.max(...heapSamples.map((h) => h.heap_used_mb)),
      external_max_mb: Math.max(...heapSamples.map((h) => h.external_mb)),
    },
    samples,
  }
}

async function main(): Promise<Measured<Body>> {
  const url = await prepareBenchDatabase(1_000_000)
  const seeded = await describeBenchDatabase(url)
  // Made before the app starts, so generating the random bytes takes no CPU from it: a set per
  // client, and one more for the single-client comparison (the same content would be deduplicated).
  const sets = Array.from({ length: CLIENTS + 1 }, () =>
    Array.from({ length: FILES_PER_CLIENT }, () => randomPng(FILE_BYTES)),
  )
  const app = await startApp(url)
  const created: number[] = []
  try {
    const users: Session[] = []
    for (let n = 1; n <= CLIENTS; n++) {
      users.push(await login(app.url, `demo-user-${n}@example.com`, USER_PASSWORD))
    }
    // One small upload first, so code loaded on first use is not counted as growth.
    const warm = await upload(app.url, users[0]!, [randomPng(100_000)], 'warm-up')
    if (warm.status !== 201) {
      throw new Error(`warm-up upload: ${warm.status} ${JSON.stringify(warm.body)}`)
    }
    created.push(...warm.items.map((i) => i.id))

    const concurrent = await measure(app, users, sets.slice(0, CLIENTS), 'client')
    created.push(...concurrent.ids)
    const single = await measure(app, users, [sets[CLIENTS]!], 'single')
    created.push(...single.ids)
    const guard = await memoryStats(app.url)
    const growth = concurrent.rss.growth_mb
    const report = {
      settings: {
        clients: CLIENTS,
        files_per_client: FILES_PER_CLIENT,
        file_bytes: FILE_BYTES,
        memory_limit_mb: MEMORY_LIMIT_MB,
      },
      concurrent: { ...concurrent, ids: undefined, samples: undefined },
      single_client: { ...single, ids: undefined, samples: undefined },
      check: {
        value: growth,
        target: `<= ${TARGET_GROWTH_MB} MB`,
        met: concurrent.all_stored && growth <= TARGET_GROWTH_MB,
      },
      guard: {
        state: guard.state,
        shed_total: guard.shed_total,
        shed_by_reason: guard.shed_by_reason,
      },
      samples: { concurrent: concurrent.samples, single_client: single.samples },
    }
    for (const run of [concurrent, single]) {
      console.log(
        `${run.clients} client(s): ${run.total_mb} MB in ${run.seconds} s, ${run.throughput_mb_s} MB/s, ` +
          `RSS +${run.rss.growth_mb} MB, all stored: ${run.all_stored}`,
      )
    }
    const svg = rssChartSvg(
      [
        { label: `${CLIENTS} clients x ${FILES_PER_CLIENT} x 10 MB`, samples: concurrent.samples },
        { label: `1 client x ${FILES_PER_CLIENT} x 10 MB`, samples: single.samples },
      ],
      'App RSS during the uploads',
      { caption: `seconds from the first byte sent; RSS sampled every ${SAMPLE_MS} ms ` },
    )
    return { result: report, versions: { PostgreSQL: seeded.postgres }, files: { '.svg': svg } }
  } catch (error) {
    console.error(`app output:\n${app.output()}`)
    throw error
  } finally {
    await app.stop() // removes its UPLOAD_DIR with the stored files
    if (created.length > 0) {
      const db = postgres(url, { max: 1, onnotice: () => {} })
      await db`delete from uploads where id in ${db(created)}`
      await db.end()
    }
  }
}

type Run = Omit<Awaited<ReturnType<typeof measure>>, 'ids' | 'samples'>

type Report = Stamped<Body>
type Body = {
  settings: {
    clients: number
    files_per_client: number
    file_bytes: number
    memory_limit_mb: number
  }
  concurrent: Run
  single_client: Run
  check: { value: number; target: string; met: boolean }
  guard: { state: string; shed_total: number }
}

function markdown(r: Report): string {
  const s = r.settings
  const c = r.concurrent
  const one = r.single_client
  const row = (label: string, f: (run: Run) => string | number) => [label, f(c), f(one)]
  const over = round(r.check.value - TARGET_GROWTH_MB, 1)
  return [
    preamble('Uploads: 4 clients x 10 files of 10 MB', r),
    `The app (\`bun src/index.ts\`, LOG_LEVEL=warn, MEMORY_LIMIT_MB=${s.memory_limit_mb}, UPLOAD_DIR on local disk) receives ` +
      `${s.clients} POST /api/uploads requests at once, one per seeded user, each a multipart body with ${s.files_per_client} files of ` +
      `${s.file_bytes.toLocaleString('en-US')} bytes in the \`files\` field. Every file is a PNG to a content sniffer (signature, a valid IHDR, ` +
      'one IDAT chunk of random bytes, IEND), and every file\'s content differs, so each is stored, none deduplicated. ' +
      'The files are generated before the app starts; one small upload runs first so code loaded on first use is not counted as growth; ' +
      'each run starts after 3 s idle. For comparison, one client then sends 10 other files alone.',
    '',
    table(
      ['figure', `${s.clients} clients at once (the target)`, '1 client (comparison)'],
      [
        row('data sent', (x) => `${x.total_mb} MB (${x.files} files)`),
        row('wall time, first byte to last answer', (x) => `${x.seconds} s`),
        row('throughput', (x) => `${x.throughput_mb_s} MB/s`),
        row('answers', (x) =>
          x.requests.map((q) => `${q.status} (${q.files} files, ${q.seconds} s)`).join(', '),
        ),
        row('every file stored once, as image/png, full size', (x) =>
          x.all_stored ? 'yes' : '**no**',
        ),
        row('RSS before / peak / after (MB)', (x) =>
          [x.rss.before_mb, x.rss.peak_mb, x.rss.after_mb].join(' / '),
        ),
        row('RSS growth (MB)', (x) => x.rss.growth_mb),
        row('app figures, max (MB): JS heap used / external', (x) =>
          [x.heap.used_max_mb, x.heap.external_max_mb].join(' / '),
        ),
      ],
    ),
    '',
    `Peak RSS: ${c.rss.peak_from}.`,
    '',
    `Target: RSS growth ${r.check.target} with ${s.clients} clients — ${r.check.met ? 'met' : `**missed** by ${over} MB`}.`,
    ...(r.check.met
      ? []
      : [
          '',
          `Why: the app's own figures (/api/health/memory, polled every second) went up to ${c.heap.external_max_mb} MB of ` +
            `external memory (ArrayBuffers: body chunks and file data in flight) and ${c.heap.used_max_mb} MB of JS heap in use; ` +
            'memory freed after a collection is not all handed back to the system at once, so RSS keeps the high-water mark. ' +
            `One client alone, measured afterwards from the RSS the first run left, grew it by ${one.rss.growth_mb} MB, ` +
            `${Math.round((one.rss.growth_mb / c.rss.growth_mb) * 100)}% of what four at once did: ` +
            (one.rss.growth_mb >= c.rss.growth_mb / 2
              ? 'most of the growth comes with a single upload, not with the number in flight.'
              : 'the growth rises with the number of uploads in flight.'),
        ]),
    '',
    `![App RSS during the uploads](${r.date.slice(0, 10)}-uploads.svg)`,
    '',
    '## Reading the results',
    '',
    '- Throughput is the data sent over the wall time: client serialisation, loopback, multipart parsing, sha256, content sniffing and the write to disk, on 2 cores shared with the client (and with other work on the machine, see the load average).',
    `- Memory guard at the end: state ${r.guard.state}, ${r.guard.shed_total} requests shed.`,
    '',
  ].join('\n')
}

await runBench('uploads', args.render, markdown, main)
