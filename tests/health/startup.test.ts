import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { usingPostgres } from '../support/app'
import { startServerProcess } from '../support/process'

const root = join(import.meta.dir, '..', '..')

/** Runs `bun src/index.ts` to its end on a data directory of its own: exit code and stderr. */
async function failedStart(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'booking-start-'))
  try {
    const proc = Bun.spawn([process.execPath, 'src/index.ts'], {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir, ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    return { code, stderr: stderr.trim(), dataDirUsed: Bun.file(join(dir, 'pglite.lock')).size > 0 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('start-up and shutdown', () => {
  test('a bad environment variable stops start-up with one line naming it and exit 1', async () => {
    const proc = Bun.spawn([process.execPath, 'src/index.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'not-a-port', MEMORY_THRESHOLD_PERCENT: '150' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await proc.exited).toBe(1)
    const stderr = (await new Response(proc.stderr).text()).trim()
    expect(stderr.split('\n')).toHaveLength(1)
    expect(stderr).toContain('PORT')
    expect(stderr).toContain('MEMORY_THRESHOLD_PERCENT')
  }, 30_000)

  test('SIGTERM stops accepting, closes the pool and exits 0', async () => {
    const server = await startServerProcess()
    try {
      expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(200)
      server.proc.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      expect(server.output()).toContain('"msg":"stopped"')
      expect(fetch(`${server.url}/api/health`)).rejects.toThrow()
    } finally {
      server.cleanup()
    }
  }, 60_000)

  test('a taken port stops a second server in one line, before it opens a database', async () => {
    const server = await startServerProcess({ DATABASE_URL: '' })
    try {
      const { code, stderr, dataDirUsed } = await failedStart({
        DATABASE_URL: '',
        PORT: new URL(server.url).port,
      })
      expect(code).toBe(1)
      expect(stderr.split('\n')).toHaveLength(1)
      expect(stderr).toContain(`port ${new URL(server.url).port} on 127.0.0.1 is already in use`)
      expect(dataDirUsed).toBe(false)
    } finally {
      server.cleanup()
    }
  }, 60_000)

  test('an unreachable PostgreSQL is named as the cause, in one line', async () => {
    const { code, stderr } = await failedStart({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/booking',
    })
    expect(code).toBe(1)
    expect(stderr.split('\n')).toHaveLength(1)
    expect(stderr).toContain('ECONNREFUSED 127.0.0.1:9')
    expect(stderr).toContain('is PostgreSQL running')
    expect(stderr).not.toContain('Failed query')
  }, 30_000)

  test.skipIf(!usingPostgres)('a database that does not exist is named, in one line', async () => {
    const url = new URL(process.env.DATABASE_URL!)
    url.pathname = '/no_such_booking_database'
    const { code, stderr } = await failedStart({ DATABASE_URL: url.toString() })
    expect(code).toBe(1)
    expect(stderr.split('\n')).toHaveLength(1)
    expect(stderr).toContain('database "no_such_booking_database" does not exist')
  }, 30_000)

  test('the start-up log gives the URLs of the API, docs and status page; GET / links them', async () => {
    const server = await startServerProcess()
    try {
      const listening = server.output().split('\n').find((l) => l.includes('"msg":"listening"'))!
      const line = JSON.parse(listening)
      const port = new URL(server.url).port
      expect(line.api).toBe(`http://127.0.0.1:${port}/api`)
      expect(line.docs).toBe(`http://127.0.0.1:${port}/api/docs`)
      expect(line.status).toBe(`http://127.0.0.1:${port}/status`)
      const home = await fetch(`${server.url}/`)
      expect(home.status).toBe(200)
      expect(await home.json()).toMatchObject({
        docs: '/api/docs',
        openapi: '/api/openapi.json',
        status: '/status',
        health: '/api/health',
      })
    } finally {
      server.cleanup()
    }
  }, 60_000)

  test('in development without JWT_SECRET, a token outlives a restart on one DATA_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'booking-secret-'))
    const env = {
      NODE_ENV: 'development',
      JWT_SECRET: '',
      DATA_DIR: dir,
      UPLOAD_DIR: join(dir, 'uploads'),
      ADMIN_EMAIL: 'secret-admin@example.com',
      ADMIN_PASSWORD: 'a long admin password',
    }
    try {
      const first = await startServerProcess(env)
      let token: string
      try {
        const login = await fetch(`${first.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }),
        })
        token = ((await login.json()) as { token: string }).token
        first.proc.kill('SIGTERM')
        expect(await first.exited).toBe(0)
      } finally {
        first.cleanup()
      }
      const second = await startServerProcess(env)
      try {
        const me = await fetch(`${second.url}/api/auth/me`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(me.status).toBe(200)
      } finally {
        second.cleanup()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
