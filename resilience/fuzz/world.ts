import { issueToken } from '../../src/http/middleware/auth'
import { uniquePng } from '../../tests/uploads/samples'

/** Sends one request to the app: over HTTP to a server, or in process through app.request. */
export type Send = (path: string, init: RequestInit) => Promise<Response>

export interface Principal {
  id: number
  token: string
}

/** Resources the fuzzer points valid ids at, all made through the API before it starts. */
export interface FuzzIds {
  venue: number
  rental: number
  merch: number
  program: number
  booking: number
  order: number
  upload: number
  imageUpload: number
  gallery: number
}

export interface FuzzWorld {
  /** In every name, title and email the fuzzer makes up, so a row it should not have made shows. */
  tag: string
  user: Principal
  other: Principal
  admin: Principal
  /** Tokens that must be refused: expired, and signed with another secret. */
  expiredToken: string
  forgedToken: string
  ids: FuzzIds
  /** The other user's booking, order and upload: the user must get 404 for them. */
  foreign: { bookings: number; 'rack-orders': number; uploads: number }
}

async function must(send: Send, status: number, path: string, init: RequestInit) {
  const res = await send(path, init)
  const text = await res.text()
  if (res.status !== status) throw new Error(`fuzz set-up ${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

const json = (token: string, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

async function upload(send: Send, token: string, tag: string): Promise<number> {
  const form = new FormData()
  form.append(
    'files',
    new Blob([uniquePng(`${tag}-${crypto.randomUUID()}`)], { type: 'image/png' }),
    `${tag}.png`,
  )
  const body = await must(send, 201, '/api/uploads', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  })
  return body.items[0].id
}

/** One of each resource, owned by `user` (and a second set owned by `other`). */
export async function buildFuzzWorld(
  send: Send,
  people: { user: Principal; other: Principal; admin: Principal },
  jwtSecret: string,
  tag: string,
): Promise<FuzzWorld> {
  const { user, other, admin } = people
  const venue = await must(
    send,
    201,
    '/api/admin/venues',
    json(admin.token, { name: `${tag} hall`, capacity: 10, hourly_price_cents: 2000 }),
  )
  const rental = await must(
    send,
    201,
    '/api/admin/items',
    json(admin.token, { name: `${tag} racket`, kind: 'rental', price_cents: 500, stock: 5 }),
  )
  const merch = await must(
    send,
    201,
    '/api/admin/items',
    json(admin.token, {
      name: `${tag} shirt`,
      kind: 'merchandise',
      price_cents: 1500,
      stock: 1000,
    }),
  )
  const program = await must(
    send,
    201,
    '/api/admin/programs',
    json(admin.token, {
      venue_id: venue.id,
      name: `${tag} class`,
      weekdays: [1, 3],
      start_time: '07:00',
      duration_minutes: 60,
      starts_on: '2031-01-06',
      ends_on: '2031-03-31',
      capacity: 10,
      price_cents: 1000,
    }),
  )
  // A week ahead, 09:00 and 11:00 UTC: inside the default booking rules of the fresh venue.
  const today = new Date()
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 7)
  const slot = (hour: number) => ({
    venue_id: venue.id,
    start_datetime: new Date(day + hour * 3_600_000).toISOString(),
    end_datetime: new Date(day + (hour + 1) * 3_600_000).toISOString(),
  })
  const booking = await must(
    send,
    201,
    '/api/bookings',
    json(user.token, { ...slot(9), items: [{ item_id: rental.id, quantity: 1 }] }),
  )
  const foreignBooking = await must(send, 201, '/api/bookings', json(other.token, slot(11)))
  const order = await must(
    send,
    201,
    '/api/rack-orders',
    json(user.token, { items: [{ item_id: merch.id, quantity: 1 }] }),
  )
  const foreignOrder = await must(
    send,
    201,
    '/api/rack-orders',
    json(other.token, { items: [{ item_id: merch.id, quantity: 2 }] }),
  )
  const imageUpload = await upload(send, admin.token, tag)
  const gallery = await must(
    send,
    201,
    '/api/admin/gallery',
    json(admin.token, { upload_id: imageUpload, title: `${tag} view`, is_public: true }),
  )
  return {
    tag,
    user,
    other,
    admin,
    expiredToken: await issueToken(jwtSecret, { id: user.id }, -3600),
    forgedToken: await issueToken(
      'not-the-secret-of-this-service-but-long-enough',
      { id: admin.id },
      3600,
    ),
    ids: {
      venue: venue.id,
      rental: rental.id,
      merch: merch.id,
      program: program.id,
      booking: booking.id,
      order: order.id,
      upload: await upload(send, user.token, tag),
      imageUpload,
      gallery: gallery.id,
    },
    foreign: {
      bookings: foreignBooking.id,
      'rack-orders': foreignOrder.id,
      uploads: await upload(send, other.token, tag),
    },
  }
}
