import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/client'
import type { FuzzWorld } from '../../resilience/fuzz/world'
import type { TestApp } from '../support/app'

/**
 * Row counts and content checksums of every row the fuzzer could reach, and only those: the shared
 * test database has other tests' rows changing at the same time. Made-up names carry the tag.
 */
export async function scopedSnapshot(
  t: TestApp,
  world: FuzzWorld,
): Promise<Record<string, string>> {
  const people = [world.user.id, world.other.id, world.admin.id].join(',')
  const { ids, tag } = world
  const items = `${ids.rental},${ids.merch}`
  const like = `'%${tag}%'`
  const mine = `select id from bookings where user_id in (${people}) or venue_id = ${ids.venue}`
  const orders = `select id from rack_orders where user_id in (${people})`
  const scopes: Record<string, string> = {
    users: `id in (${people}) or email like ${like}`,
    venues: `id = ${ids.venue} or name like ${like}`,
    items: `id in (${items}) or name like ${like}`,
    regular_programs: `id = ${ids.program} or venue_id = ${ids.venue} or name like ${like}`,
    bookings: `id in (${mine})`,
    booking_items: `booking_id in (${mine}) or item_id in (${items})`,
    rack_orders: `id in (${orders})`,
    rack_order_items: `rack_order_id in (${orders}) or item_id in (${items})`,
    uploads: `user_id in (${people})`,
    gallery_images: `id = ${ids.gallery} or title like ${like} or upload_id in (select id from uploads where user_id in (${people}))`,
    idempotency_keys: `user_id in (${people})`,
  }
  const out: Record<string, string> = {}
  for (const [table, where] of Object.entries(scopes)) {
    const [row] = await queryRows<{ rows: number; checksum: string }>(
      t.database.db,
      sql.raw(
        `select count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as checksum from ${table} t where ${where}`,
      ),
    )
    out[table] = `${row!.rows} rows, ${row!.checksum}`
  }
  return out
}
