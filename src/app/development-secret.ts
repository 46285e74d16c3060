import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const FILE = 'jwt-secret'

/**
 * The JWT secret of a development server without JWT_SECRET: generated once and kept in
 * DATA_DIR, so tokens survive a restart. The first process to write the file wins a race;
 * the others read what it wrote. Production never gets here (src/env.ts requires JWT_SECRET).
 */
export function developmentSecret(dataDir: string): { secret: string; path: string } {
  const path = join(dataDir, FILE)
  try {
    const kept = readFileSync(path, 'utf8').trim()
    if (kept.length >= 32) return { secret: kept, path }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
    return { secret, path }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return { secret: readFileSync(path, 'utf8').trim(), path }
  }
}
