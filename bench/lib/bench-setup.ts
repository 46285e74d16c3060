import { SEEDED_BEFORE, describeBenchDatabase } from './database'
import { ADMIN, USER_PASSWORD, login, type Session } from './servers'
import { PAGE_SIZE, type WorkloadInputs } from './workloads'

const USERS = 8
const WRITERS = 8

/**
 * Everything the workloads need from a running app: sessions of the admin and of sixteen seeded
 * users (eight read, eight write), W5's range with its last page and the cursor to it, and a week
 * for the mix.
 */
export async function workloadInputs(
  appUrl: string,
  seeded: Awaited<ReturnType<typeof describeBenchDatabase>>,
): Promise<WorkloadInputs> {
  const admin = await login(appUrl, ADMIN.email, ADMIN.password)
  const users: Session[] = []
  for (let n = 1; n <= USERS + WRITERS; n++) {
    users.push(await login(appUrl, `demo-user-${n}@example.com`, USER_PASSWORD))
  }
  const range = { from: seeded.firstStart, to: SEEDED_BEFORE }
  type Page = { pagination: { total: number; next_cursor: string | null } }
  const page = async (params: Record<string, string>) => {
    const query = new URLSearchParams({ ...range, page_size: String(PAGE_SIZE), ...params })
    const res = await fetch(`${appUrl}/api/admin/bookings?${query}`, { headers: admin.headers })
    if (!res.ok) throw new Error(`admin list: ${res.status} ${await res.text()}`)
    return (await res.json()) as Page
  }
  const deepPage = Math.ceil((await page({})).pagination.total / PAGE_SIZE)
  const before = await page({ page: String(deepPage - 1) })
  // About two years after the first seeded booking: a week in the middle of the data.
  const weekFrom = new Date(Date.parse(seeded.firstStart) + 700 * 86_400_000)
  return {
    admin,
    users: users.slice(0, USERS),
    writers: users.slice(USERS),
    maxId: seeded.maxId,
    writeVenueId: seeded.writeVenueId,
    range,
    deepPage,
    deepCursor: before.pagination.next_cursor!,
    week: {
      from: weekFrom.toISOString(),
      to: new Date(weekFrom.getTime() + 7 * 86_400_000).toISOString(),
    },
  }
}
