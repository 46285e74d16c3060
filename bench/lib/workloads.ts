import type { LoadRequest } from './load'
import type { Session } from './servers'

export interface Workload {
  id: string
  name: string
  /** What the requests are, for the results file. */
  requests: string
  connections: number
  /** Multiplies the run time: slow requests need longer runs for enough samples. */
  durationFactor: number
  /** A read workload: its target is >= 0.85x the ceiling. */
  read: boolean
  /** Creates bookings: the bench database is reset to its seeded rows before each run. */
  writes: boolean
  load: LoadRequest[]
}

export interface WorkloadInputs {
  admin: Session
  /** Users whose bookings the reads list. */
  users: Session[]
  /**
   * Other users, who create the bookings: the rows a write run leaves and the next deletes stay
   * out of the readers' lists and index ranges.
   */
  writers: Session[]
  /** Ids 1..maxId are the seeded bookings. */
  maxId: number
  writeVenueId: number
  /** W5's range, holding every seeded booking; `deepPage` is its last page of 100. */
  range: { from: string; to: string }
  deepPage: number
  /** next_cursor of the page before `deepPage`: the cursor way to the same rows. */
  deepCursor: string
  /** A week of bookings, for the admin list in the mix. */
  week: { from: string; to: string }
}

export const PAGE_SIZE = 100
const READ_CONNECTIONS = 32
/**
 * Each W5 request holds two of the six pool connections for a count over 1,000,000 rows (a few
 * hundred ms): 4 connections keep the server busy; 32 would only queue for seconds and time out.
 */
const ADMIN_CONNECTIONS = 4

const query = (params: Record<string, string | number>) =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString()

export function workloads(i: WorkloadInputs): Workload[] {
  const admin = i.admin.headers
  const adminList = (params: Record<string, string | number>) =>
    `/api/admin/bookings?${query({ ...i.range, page_size: PAGE_SIZE, ...params })}`
  const byId: LoadRequest = { path: `/api/bookings/{rand:${i.maxId}}`, headers: admin }
  const ownPages: LoadRequest[] = i.users.map((u) => ({
    path: '/api/bookings',
    headers: u.headers,
  }))
  const create = (u: Session): LoadRequest => ({
    method: 'POST',
    path: '/api/bookings',
    headers: u.headers,
    booking: { venue_id: i.writeVenueId },
  })
  const week = `/api/admin/bookings?${query({ ...i.week, page_size: 50 })}`
  const times = (n: number, r: LoadRequest) => Array.from({ length: n }, () => r)

  return [
    {
      id: 'W1',
      name: 'health',
      requests: 'GET /api/health',
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: true,
      writes: false,
      load: [{ path: '/api/health' }],
    },
    {
      id: 'W2',
      name: 'booking by id',
      requests: `GET /api/bookings/{random id 1..${i.maxId}} as admin`,
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: true,
      writes: false,
      load: [byId],
    },
    {
      id: 'W3',
      name: "a user's bookings page",
      requests: `GET /api/bookings (page 1 of 50, with total) as ${i.users.length} different users`,
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: true,
      writes: false,
      load: ownPages,
    },
    {
      id: 'W4',
      name: 'public venues page',
      requests: 'GET /api/venues (page 1 of 50, with total; `bun run bench` runs the app with its cache off)',
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: true,
      writes: false,
      load: [{ path: '/api/venues' }],
    },
    {
      id: 'W5a',
      name: 'admin list by date range, page 1',
      requests: `GET ${adminList({})}`,
      connections: ADMIN_CONNECTIONS,
      durationFactor: 1.5,
      read: true,
      writes: false,
      load: [{ path: adminList({}), headers: admin }],
    },
    {
      id: 'W5b',
      name: `admin list by date range, page ${i.deepPage}`,
      requests: `GET ${adminList({ page: i.deepPage })}`,
      connections: ADMIN_CONNECTIONS,
      durationFactor: 1.5,
      read: true,
      writes: false,
      load: [{ path: adminList({ page: i.deepPage }), headers: admin }],
    },
    {
      id: 'W5c',
      name: `admin list by date range, cursor to page ${i.deepPage}`,
      requests:
        `GET /api/admin/bookings?page_size=${PAGE_SIZE}` +
        `&cursor=<next_cursor of page ${i.deepPage - 1}>`,
      connections: ADMIN_CONNECTIONS,
      durationFactor: 1.5,
      read: true,
      writes: false,
      load: [{ path: adminList({ cursor: i.deepCursor }), headers: admin }],
    },
    {
      id: 'W6',
      name: 'booking creation',
      requests: `POST /api/bookings, one-hour slots that never overlap, venue ${i.writeVenueId}`,
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: false,
      writes: true,
      load: i.writers.map(create),
    },
    {
      id: 'W7',
      name: 'mixed',
      requests:
        'per 12 requests: 1 health, 4 booking by id, 3 own bookings pages, 2 venues pages, ' +
        '1 admin list of one week (page 1 of 50), 1 booking creation',
      connections: READ_CONNECTIONS,
      durationFactor: 1,
      read: false,
      writes: true,
      load: [
        { path: '/api/health' },
        ...times(2, byId),
        ownPages[0]!,
        { path: '/api/venues' },
        ...times(2, byId),
        ownPages[1 % ownPages.length]!,
        { path: week, headers: admin },
        create(i.writers[0]!),
        { path: '/api/venues' },
        ownPages[2 % ownPages.length]!,
      ],
    },
  ]
}
