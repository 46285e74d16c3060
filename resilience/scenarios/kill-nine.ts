import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LEFTOVER_GRACE_MS } from '../../src/services/uploads/leftover-files'
import { uniquePng } from '../../tests/uploads/samples'
import { api, bearer } from '../lib/api'
import { startLoad, type Call, type Sample } from '../lib/load'
import { check, type ScenarioResult } from '../lib/outcome'
import { createScratchDatabase, type ScratchDatabase } from '../lib/scratch-database'
import { startSuiteServer, stopServer, type SuiteServer } from '../lib/server'
import { ms, statusCounts } from '../lib/stats'
import {
  bookingBody,
  buildWorld,
  pick,
  pickOrNone,
  slotMaker,
  type Person,
  type World,
} from '../lib/world'
import type { SuiteContext } from '../context'

const CYCLES = 3
const WORKERS = 16
const MERCH_STOCK = 5_000
const RENTAL_STOCK = 4

interface Line {
  item_id: number
  quantity: number
}

/** What the clients asked for and what the server acknowledged, to compare with the rows. */
interface Ledger {
  bookingLines: Map<string, Line[]>
  bookings: Map<number, Person>
  orders: Map<number, Person>
  cancelledBookings: Set<number>
  cancelledOrders: Set<number>
  uploads: Set<number>
}

const distinct = <T>(list: T[], count: number) =>
  [...list].sort(() => Math.random() - 0.5).slice(0, count)

function writes(world: World, ledger: Ledger) {
  const nextSlot = slotMaker(world.venues)
  const ownedBy = (map: Map<number, Person>, user: Person, except: Set<number>) =>
    [...map].filter(([id, owner]) => owner.id === user.id && !except.has(id)).map(([id]) => id)
  return (): Call => {
    const user = pick(world.users)
    const json = { ...bearer(user.token), 'content-type': 'application/json' }
    const conflictOk = (s: number) => (s >= 200 && s < 300) || s === 409
    const roll = Math.random()
    if (roll < 0.35) {
      const slot = nextSlot()
      const tag = crypto.randomUUID()
      const items = distinct(world.rentals, Math.floor(Math.random() * 4)).map((item) => ({
        item_id: item.id,
        quantity: 1 + Math.floor(Math.random() * 2),
      }))
      ledger.bookingLines.set(tag, items)
      return {
        op: 'create-booking',
        method: 'POST',
        path: '/api/bookings',
        headers: json,
        body: bookingBody(slot, { items, notes: `kill-9 ${tag}` }),
        expect: conflictOk,
      }
    }
    if (roll < 0.65) {
      const items = distinct(world.merch, 1 + Math.floor(Math.random() * 3)).map((item) => ({
        item_id: item.id,
        quantity: 1 + Math.floor(Math.random() * 3),
      }))
      return {
        op: 'rack-order',
        method: 'POST',
        path: '/api/rack-orders',
        headers: json,
        body: JSON.stringify({ items }),
        expect: conflictOk,
      }
    }
    // Cancels take back something this user was acknowledged earlier, when there is one.
    const order = pickOrNone(ownedBy(ledger.orders, user, ledger.cancelledOrders))
    if (roll < 0.75 && order) {
      return {
        op: 'cancel-order',
        method: 'POST',
        path: `/api/rack-orders/${order}/cancel`,
        headers: bearer(user.token),
      }
    }
    const booking = pickOrNone(ownedBy(ledger.bookings, user, ledger.cancelledBookings))
    if (roll < 0.85 && booking) {
      return {
        op: 'cancel-booking',
        method: 'POST',
        path: `/api/bookings/${booking}/cancel`,
        headers: bearer(user.token),
      }
    }
    const form = new FormData()
    for (let i = 0, n = 1 + Math.floor(Math.random() * 3); i < n; i++) {
      form.append(
        'files',
        new Blob([uniquePng(crypto.randomUUID())], { type: 'image/png' }),
        `p${i}.png`,
      )
    }
    return {
      op: 'upload',
      method: 'POST',
      path: '/api/uploads',
      headers: bearer(user.token),
      body: form,
    }
  }
}

/** Notes what an acknowledged answer changed, from its kept JSON body. */
function record(ledger: Ledger, world: World, s: Sample) {
  if (!s.expected || s.status >= 300 || !s.json) return
  const body = s.json as { id: number; user_id: number; items: { id: number }[] }
  const owner = () => world.users.find((u) => u.id === body.user_id)!
  if (s.op === 'create-booking') ledger.bookings.set(body.id, owner())
  if (s.op === 'rack-order') ledger.orders.set(body.id, owner())
  if (s.op === 'cancel-booking') ledger.cancelledBookings.add(body.id)
  if (s.op === 'cancel-order') ledger.cancelledOrders.add(body.id)
  if (s.op === 'upload') for (const u of body.items) ledger.uploads.add(u.id)
}

interface Integrity {
  bookings: number
  wrongTotal: number[]
  wrongItems: number[]
  unknownBookings: number[]
  orders: number
  emptyOrders: number[]
  wrongOrderTotal: number[]
  stockOff: { item_id: number; stock: number; expected: number }[]
  lostBookings: number[]
  lostOrders: number[]
  lostCancels: number[]
  lostUploads: number[]
}

async function integrity(db: ScratchDatabase, world: World, ledger: Ledger): Promise<Integrity> {
  const { sql } = db
  const bookings = await sql<
    {
      id: number
      notes: string | null
      total: number
      expected: number
      status: string
      items: Line[]
    }[]
  >`
    select b.id::int, b.notes, b.total_cents as total, b.status::text,
      floor((v.hourly_price_cents * round(extract(epoch from b.end_datetime - b.start_datetime) / 60) + 30) / 60)::int
        + coalesce((select sum(bi.quantity * bi.unit_price_cents) from booking_items bi where bi.booking_id = b.id), 0)::int
        as expected,
      coalesce((select json_agg(json_build_object('item_id', bi.item_id::int, 'quantity', bi.quantity) order by bi.item_id)
        from booking_items bi where bi.booking_id = b.id), '[]') as items
    from bookings b join venues v on v.id = b.venue_id`
  const sortLines = (lines: Line[]) => [...lines].sort((a, b) => a.item_id - b.item_id)
  const wrongItems: number[] = []
  const unknownBookings: number[] = []
  for (const b of bookings) {
    const tag = b.notes?.replace('kill-9 ', '') ?? ''
    const asked = ledger.bookingLines.get(tag)
    if (!asked) unknownBookings.push(b.id)
    else if (JSON.stringify(sortLines(asked)) !== JSON.stringify(sortLines(b.items)))
      wrongItems.push(b.id)
  }
  const orders = await sql<{ id: number; total: number; expected: number; lines: number }[]>`
    select o.id::int, o.total_cents as total,
      coalesce(sum(i.quantity * i.unit_price_cents), 0)::int as expected, count(i.id)::int as lines
    from rack_orders o left join rack_order_items i on i.rack_order_id = o.id group by o.id`
  const stock = await sql<{ id: number; stock: number; sold: number }[]>`
    select it.id::int, it.stock,
      coalesce((select sum(i.quantity) from rack_order_items i join rack_orders o on o.id = i.rack_order_id
        where i.item_id = it.id and o.status <> 'cancelled'), 0)::int as sold
    from items it`
  const initial = new Map([...world.merch, ...world.rentals].map((i) => [i.id, i]))
  const stockOff = stock
    .map((s) => {
      const item = initial.get(s.id)!
      const expected = item.kind === 'merchandise' ? item.stock - s.sold : item.stock
      return { item_id: s.id, stock: s.stock, expected }
    })
    .filter((s) => s.stock !== s.expected)
  const ids = (rows: { id: number }[]) => new Set(rows.map((r) => r.id))
  const bookingIds = ids(bookings)
  const cancelled = new Set(bookings.filter((b) => b.status === 'cancelled').map((b) => b.id))
  const orderRows = await sql<
    { id: number; status: string }[]
  >`select id::int, status::text from rack_orders`
  const cancelledOrders = new Set(
    orderRows.filter((o) => o.status === 'cancelled').map((o) => o.id),
  )
  const uploadIds = ids(await sql<{ id: number }[]>`select id::int from uploads`)
  return {
    bookings: bookings.length,
    wrongTotal: bookings.filter((b) => b.total !== b.expected).map((b) => b.id),
    wrongItems,
    unknownBookings,
    orders: orders.length,
    emptyOrders: orders.filter((o) => o.lines === 0).map((o) => o.id),
    wrongOrderTotal: orders.filter((o) => o.total !== o.expected).map((o) => o.id),
    stockOff,
    lostBookings: [...ledger.bookings.keys()].filter((id) => !bookingIds.has(id)),
    lostOrders: [...ledger.orders.keys()].filter((id) => !orderRows.some((o) => o.id === id)),
    lostCancels: [
      ...[...ledger.cancelledBookings].filter((id) => !cancelled.has(id)),
      ...[...ledger.cancelledOrders].filter((id) => !cancelledOrders.has(id)),
    ],
    lostUploads: [...ledger.uploads].filter((id) => !uploadIds.has(id)),
  }
}

interface FileAudit {
  files: number
  orphaned: string[]
  temporary: string[]
  missing: string[]
  wrongSize: string[]
}

async function auditFiles(db: ScratchDatabase, dir: string): Promise<FileAudit> {
  const rows = await db.sql<{ stored_name: string; size_bytes: number }[]>`
    select stored_name, size_bytes::int from uploads`
  const names = readdirSync(dir)
  const known = new Map(rows.map((r) => [r.stored_name, r.size_bytes]))
  const temporary = names.filter((n) => n.startsWith('.incoming-'))
  const stored = names.filter((n) => !n.startsWith('.incoming-'))
  return {
    files: names.length,
    orphaned: stored.filter((n) => !known.has(n)),
    temporary,
    missing: rows.filter((r) => !names.includes(r.stored_name)).map((r) => r.stored_name),
    wrongSize: rows
      .filter(
        (r) =>
          names.includes(r.stored_name) && statSync(join(dir, r.stored_name)).size !== r.size_bytes,
      )
      .map((r) => r.stored_name),
  }
}

/**
 * Sweeps spare files younger than the grace period (an instance sharing the volume may be in the
 * middle of an upload); backdating every file past it stands for a restart that comes later.
 */
function backdateFiles(dir: string) {
  const past = new Date(Date.now() - LEFTOVER_GRACE_MS - 60_000)
  for (const name of readdirSync(dir)) utimesSync(join(dir, name), past, past)
}

/** The start-up sweep runs beside serving: audits until it has cleared the leftovers, or 15 s. */
async function auditAfterSweep(db: ScratchDatabase, dir: string): Promise<FileAudit> {
  const deadline = performance.now() + 15_000
  for (;;) {
    const audit = await auditFiles(db, dir)
    const left = audit.orphaned.length + audit.temporary.length
    if (left === 0 || performance.now() > deadline) return audit
    await Bun.sleep(200)
  }
}

/**
 * kill -9 the server (three times) while 16 clients write bookings with items, rack orders,
 * cancels and uploads; after a restart every row must be whole, every acknowledged write kept,
 * stock must equal the initial stock minus the live orders, and no upload file may be orphaned.
 */
export async function killNine(ctx: SuiteContext): Promise<ScenarioResult> {
  const began = performance.now()
  const database = await createScratchDatabase()
  ctx.cleanup(() => database.drop())
  const uploadDir = mkdtempSync(join(tmpdir(), 'resilience-uploads-'))
  ctx.cleanup(() => rmSync(uploadDir, { recursive: true, force: true }))
  const env = { DATABASE_URL: database.url, UPLOAD_DIR: uploadDir }
  const ledger: Ledger = {
    bookingLines: new Map(),
    bookings: new Map(),
    orders: new Map(),
    cancelledBookings: new Set(),
    cancelledOrders: new Set(),
    uploads: new Set(),
  }
  let world: World | undefined
  const cycles: Record<string, unknown>[] = []
  const restartMs: number[] = []
  let server: SuiteServer | undefined
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const t0 = performance.now()
    server = await startSuiteServer(env)
    restartMs.push(performance.now() - t0)
    const current = server
    ctx.cleanup(() => current.cleanup())
    world ??= await buildWorld(api(server.url), {
      users: 6,
      venues: 6,
      rentals: 3,
      merch: 4,
      stock: RENTAL_STOCK,
    })
    if (cycle === 0) {
      // Merchandise gets more stock than the orders can use, so every purchase is judged on totals.
      for (const item of world.merch) {
        await api(server.url).must(200, 'PATCH', `/api/admin/items/${item.id}`, {
          token: world.admin.token,
          json: { stock: MERCH_STOCK },
        })
        item.stock = MERCH_STOCK
      }
    }
    const load = startLoad(server.url, {
      workers: WORKERS,
      next: writes(world, ledger),
      durationMs: 30_000,
      timeoutMs: 20_000,
      keep: () => true,
      onSample: (sample) => record(ledger, world!, sample),
    })
    await Bun.sleep(1500 + Math.random() * 2000)
    const killedAt = performance.now()
    const exit = await stopServer(server, 'SIGKILL')
    const samples = await load.stop()
    const before = samples.filter((s) => s.start < killedAt)
    const cut = before.filter((s) => s.end >= killedAt)
    cycles.push({
      ran_ms: ms(killedAt - t0),
      requests: before.length,
      cut_by_the_kill: cut.length,
      cut_by_op: Object.fromEntries(
        [...new Set(cut.map((s) => s.op))].map((op) => [op, cut.filter((s) => s.op === op).length]),
      ),
      statuses: statusCounts(before.filter((s) => s.end < killedAt)),
      exit_signal: server.proc.signalCode ?? exit.code,
    })
    ctx.log(`kill -9: cycle ${cycle + 1}, ${cut.length} requests cut`)
  }

  const leftByKills = await auditFiles(database, uploadDir)
  backdateFiles(uploadDir)
  const t0 = performance.now()
  server = await startSuiteServer(env)
  restartMs.push(performance.now() - t0)
  const final = server
  ctx.cleanup(() => final.cleanup())
  const ready = await api(server.url).call('GET', '/api/health/ready')
  const rows = await integrity(database, world!, ledger)
  const files = await auditAfterSweep(database, uploadDir)
  const form = new FormData()
  form.append('files', new Blob([uniquePng('after-restart')], { type: 'image/png' }), 'after.png')
  await api(server.url).must(201, 'POST', '/api/uploads', { token: world!.users[0]!.token, form })
  await stopServer(server)

  const list = (ids: unknown[]) =>
    ids.length ? `${ids.length} (${ids.slice(0, 5).join(', ')})` : '0'
  const checks = [
    check(
      'restart after kill -9',
      'ready 200',
      `ready ${ready.status}, starts took ${restartMs.map(ms).join(', ')} ms`,
      ready.status === 200,
    ),
    check(
      'bookings whole',
      "each booking's items are those asked for and its total agrees",
      `${rows.bookings} bookings; wrong total ${list(rows.wrongTotal)}, wrong items ${list(rows.wrongItems)}, unknown ${list(rows.unknownBookings)}`,
      rows.wrongTotal.length + rows.wrongItems.length + rows.unknownBookings.length === 0,
    ),
    check(
      'rack orders whole',
      'every order has items and its total agrees',
      `${rows.orders} orders; empty ${list(rows.emptyOrders)}, wrong total ${list(rows.wrongOrderTotal)}`,
      rows.emptyOrders.length + rows.wrongOrderTotal.length === 0,
    ),
    check(
      'stock',
      'initial stock minus live (not cancelled) orders; rental stock untouched',
      rows.stockOff.length === 0 ? 'every item agrees' : JSON.stringify(rows.stockOff),
      rows.stockOff.length === 0,
    ),
    check(
      'acknowledged writes kept',
      'every 2xx booking, order, cancel and upload is in the database',
      `lost bookings ${list(rows.lostBookings)}, orders ${list(rows.lostOrders)}, cancels ${list(rows.lostCancels)}, uploads ${list(rows.lostUploads)}`,
      rows.lostBookings.length +
        rows.lostOrders.length +
        rows.lostCancels.length +
        rows.lostUploads.length ===
        0,
    ),
    check(
      'no orphaned upload files after the restart',
      'every file has its row, every row its file (same size), no partial files, once the ' +
        'leftovers are past the grace period',
      `${files.files} files; orphaned ${list(files.orphaned)}, partial ${list(files.temporary)}, missing ${list(files.missing)}, wrong size ${list(files.wrongSize)}; the kills had left ${leftByKills.orphaned.length} orphaned and ${leftByKills.temporary.length} partial`,
      files.orphaned.length +
        files.temporary.length +
        files.missing.length +
        files.wrongSize.length ===
        0,
      files.orphaned.length + files.temporary.length > 0
        ? 'Why: saveUploads (src/services/uploads/save-uploads.ts) renames each file to its stored ' +
            'name inside the transaction, before the commit, so a kill between the two leaves a file ' +
            'with no row, and a kill while a part streams leaves its .incoming-*.part file; the ' +
            'sweep that starts with the server (src/services/uploads/sweep-uploads.ts) should have ' +
            'removed both once backdated past the grace period.'
        : undefined,
    ),
  ]
  return {
    key: 'kill-nine',
    title: 'kill -9 during a stream of booking and order writes',
    command: ctx.command,
    seconds: Math.round((performance.now() - began) / 1000),
    checks,
    figures: {
      cycles,
      workers: WORKERS,
      bookings: rows.bookings,
      rack_orders: rows.orders,
      acknowledged: {
        bookings: ledger.bookings.size,
        orders: ledger.orders.size,
        booking_cancels: ledger.cancelledBookings.size,
        order_cancels: ledger.cancelledOrders.size,
        uploads: ledger.uploads.size,
      },
      upload_files_left_by_the_kills: leftByKills,
      upload_files_after_the_restart: files,
      start_ms: restartMs.map(ms),
    },
    notes: [
      'Each booking carries a unique tag in its notes, so its stored items are compared with ' +
        'exactly the ones its request asked for, whether or not the answer came before the kill.',
      'Before the last restart every upload file is backdated past the sweep\'s grace period ' +
        `(${LEFTOVER_GRACE_MS / 60_000} min), standing for a restart that comes after it: files ` +
        'younger than that are spared, since another instance on the volume may be mid-upload.',
    ],
  }
}
