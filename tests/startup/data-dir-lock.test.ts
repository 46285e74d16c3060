import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runToEnd, startServerProcess, type ServerProcess } from '../support/process'

const admin = { email: 'lock-admin@example.com', password: 'a long admin password' }

/** PGlite on a data directory of the test's own, whatever DATABASE_URL the suite runs with. */
const onDir = (dir: string) => ({
  DATABASE_URL: '',
  DATA_DIR: dir,
  UPLOAD_DIR: join(dir, 'uploads'),
  ADMIN_EMAIL: admin.email,
  ADMIN_PASSWORD: admin.password,
})

/** Runs a command of the project to its end: exit code and what it printed. */
async function run(args: string[], env: Record<string, string>) {
  const { code, stdout, stderr } = await runToEnd(args, {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...env,
  })
  return { code, stdout, stderr: stderr.trim() }
}

async function createVenue(url: string, name: string): Promise<number> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  })
  const { token } = (await login.json()) as { token: string }
  const res = await fetch(`${url}/api/admin/venues`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name, capacity: 10, hourly_price_cents: 1000 }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: number }).id
}

const venueStatus = async (url: string, id: number) =>
  (await fetch(`${url}/api/venues/${id}`)).status

describe('one process per PGlite data directory', () => {
  let dir: string
  const servers: ServerProcess[] = []

  afterEach(() => {
    for (const server of servers.splice(0)) server.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  const refusesInOneLine =
    'a seed, a migration and a second server on a running server’s directory each refuse in ' +
    'one line with exit 1, and its data is intact'
  test(refusesInOneLine, async () => {
    dir = mkdtempSync(join(tmpdir(), 'booking-lock-'))
    const first = await startServerProcess(onDir(dir))
    servers.push(first)
    const venue = await createVenue(first.url, 'Kept hall')

    for (const args of [
      ['src/seed/seed.ts', '--bookings', '0', '--users', '1'],
      ['src/app/migrate-cli.ts'],
      ['src/index.ts'],
    ]) {
      const { code, stderr } = await run(args, onDir(dir))
      expect(code).toBe(1)
      expect(stderr.split('\n')).toHaveLength(1)
      expect(stderr).toContain('is in use by another process')
      expect(stderr).toContain(`pid ${first.proc.pid}`)
    }

    expect(await venueStatus(first.url, venue)).toBe(200)
    first.proc.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    const again = await startServerProcess(onDir(dir))
    servers.push(again)
    expect(await venueStatus(again.url, venue)).toBe(200)
  }, 120_000)

  test('a server killed with -9 leaves no lock behind: the next starts on its data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'booking-lock-'))
    const killed = await startServerProcess(onDir(dir))
    servers.push(killed)
    const venue = await createVenue(killed.url, 'Survivor hall')
    killed.proc.kill('SIGKILL')
    await killed.exited

    const next = await startServerProcess(onDir(dir))
    servers.push(next)
    expect(await venueStatus(next.url, venue)).toBe(200)
  }, 120_000)
})
