import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { buildClient, serverLeaks } from '../../client/scripts/build'

/*
 * A frontend as its developers set it up: its own strict tsconfig (ES2022 + DOM, React's JSX,
 * no ambient types, no skipLibCheck), the client package installed under node_modules, and
 * code that uses it. One compile checks both that correct code passes and, through
 * `@ts-expect-error`, that each mistake is refused: a mistake the types let through leaves its
 * directive unused, which is itself an error.
 */

const clientDir = path.resolve(import.meta.dir, '../../client')
let project: string
let packageDir: string

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    // Ambient types stay out: the repository's @types/bun must not make the frontend compile.
    types: [],
    jsx: 'react-jsx',
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    // TypeScript's own lib files are checked by its release; the packages' .d.ts files are not
    // skipped (no skipLibCheck), so a broken declaration in the client fails here.
    skipDefaultLibCheck: true,
  },
  include: ['src'],
}

const api = `
import { ApiError, createClient, paginate, unwrap, withRetry } from '@venue-booking/client'

export const api = createClient('https://api.example.com', {
  token: () => localStorage.getItem('token'),
})

/** Books a slot, retrying a shed or throttled answer with the same Idempotency-Key. */
export async function book(venueId: number, start: string, end: string): Promise<string> {
  const json = { venue_id: venueId, start_datetime: start, end_datetime: end }
  const res = await withRetry(({ idempotencyKey }) =>
    api.api.bookings.$post({ json, header: { 'idempotency-key': idempotencyKey } }),
  )
  if (res.status === 201) return \`booked \${(await res.json()).id}\`
  if (res.status === 409) {
    const problem = await res.json()
    return \`taken until \${problem.conflict?.end_datetime ?? '?'}\`
  }
  if (res.status === 422) {
    const problem = await res.json()
    return problem.errors?.map((e) => e.path).join(', ') ?? problem.detail
  }
  if (res.status === 503) return \`busy: retry in \${res.headers.get('Retry-After')} s\`
  throw await ApiError.from(res)
}

export async function logIn(email: string, password: string): Promise<string> {
  const res = await api.api.auth.login.$post({ json: { email, password } })
  if (res.status === 429) return \`too many tries: wait \${res.headers.get('Retry-After')} s\`
  if (res.status === 401) return (await res.json()).detail
  return (await unwrap(res)).token
}

export async function upcoming(): Promise<number> {
  let cents = 0
  const confirmed = { status: 'confirmed', page_size: '50' } as const
  for await (const booking of paginate(api.api.bookings, confirmed)) {
    cents += booking.total_cents
  }
  return cents
}

export async function venueName(id: number): Promise<string> {
  try {
    return (await unwrap(api.api.venues[':id'].$get({ param: { id: String(id) } }))).name
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return 'gone'
    if (error instanceof ApiError) return \`\${error.problem.title}, \${error.retryAfter ?? 0} s\`
    throw error
  }
}
`

const component = `
import { useEffect, useState } from 'react'
import { api } from './api'
import { unwrap } from '@venue-booking/client'

export function Venues() {
  const [names, setNames] = useState<string[]>([])
  useEffect(() => {
    unwrap(api.api.venues.$get({ query: { page_size: '10' } })).then((page) =>
      setNames(page.items.map((venue) => venue.name)),
    )
  }, [])
  return <ul>{names.map((name) => <li key={name}>{name}</li>)}</ul>
}
`

const mistakes = `
import { paginate, unwrap } from '@venue-booking/client'
import { api } from './api'

export async function mistakes() {
  const booking = await unwrap(api.api.bookings[':id'].$get({ param: { id: '1' } }))
  // @ts-expect-error a field a booking does not have
  booking.totalCents
  // @ts-expect-error a query parameter the list does not take
  await api.api.bookings.$get({ query: { colour: 'red' } })
  // @ts-expect-error a route the API does not have
  await api.api.bokings.$get()
  // @ts-expect-error a body field of the wrong type
  await api.api.bookings.$post({ json: { venue_id: '1', start_datetime: 'x', end_datetime: 'y' } })
  // @ts-expect-error paginate() takes list endpoints only
  paginate(api.api.auth.me, {})
  const res = await api.api.auth.me.$get()
  // @ts-expect-error GET /api/auth/me never answers 409
  if (res.status === 409) return
  // @ts-expect-error a header the route does not take
  await api.api.venues.$get({ header: { 'idempotency-key': 'k' } })
}
`

beforeAll(() => {
  mkdirSync(path.join(clientDir, 'dist'), { recursive: true })
  // Inside the repository, so the package finds its `hono` and the app its React types.
  project = mkdtempSync(path.join(clientDir, 'dist', 'frontend-test-'))
  packageDir = path.join(project, 'node_modules/@venue-booking/client')
  buildClient(path.join(packageDir, 'dist'))
  cpSync(path.join(clientDir, 'package.json'), path.join(packageDir, 'package.json'))
  mkdirSync(path.join(project, 'src'))
  // Its own package.json also keeps the client's from claiming the project (self-reference).
  const manifest = { name: 'frontend', private: true, type: 'module' }
  writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest))
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  writeFileSync(path.join(project, 'src/api.ts'), api)
  writeFileSync(path.join(project, 'src/venues.tsx'), component)
  writeFileSync(path.join(project, 'src/mistakes.ts'), mistakes)
}, 600_000) // the build reads the server's types: seconds alone, minutes on a loaded machine

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true })
})

describe('a frontend compiling against the built client package', () => {
  test('compiles with its own settings; each mistake is a type error', () => {
    const config = ts.readConfigFile(path.join(project, 'tsconfig.json'), ts.sys.readFile)
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, project)
    const program = ts.createProgram(parsed.fileNames, parsed.options)
    const diagnostics = ts.getPreEmitDiagnostics(program)
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => project,
      getNewLine: () => '\n',
    })
    expect(text).toBe('')

    // Nothing of the server or its runtime was loaded to get there.
    const loaded = program.getSourceFiles().map((f) => path.relative(project, f.fileName))
    const serverFiles = loaded.filter((f) =>
      /(^|\/)(src\/(app|lib|db|routes)|bun-types|@types\/(bun|node)|drizzle-orm|zod)\//.test(f),
    )
    expect(serverFiles).toEqual([])
    expect(loaded).toContain('node_modules/@venue-booking/client/dist/api-schema.d.ts')
  }, 300_000)

  test('the package imports only hono and its own files', async () => {
    for (const file of ['index.js', 'index.d.ts', 'api-schema.d.ts']) {
      const text = await Bun.file(path.join(packageDir, 'dist', file)).text()
      expect({ file, leaks: serverLeaks(text) }).toEqual({ file, leaks: [] })
    }
  })
})
