import { concurrencyLimit } from '../../lib/concurrency-limit'

/**
 * argon2id at OWASP's first recommended minimum (m = 19 MiB, t = 2, p = 1; Bun always uses one
 * lane): a hash or check holds 19 MiB for about 30 ms instead of the 64 MiB of Bun's default.
 * Hashes store their parameters, so older ones (m=65536) still verify, and are replaced at the
 * next successful login.
 */
export const ARGON2ID = { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 } as const

/** Hashes and checks that run at once; each holds `memoryCost` for its whole run. */
export const MAX_CONCURRENT_HASHING = 2
/** Hashes and checks that may wait for a turn; past that, callers get LimitReached. */
export const MAX_QUEUED_HASHING = 64

const PARAMETERS = `$argon2id$v=19$m=${ARGON2ID.memoryCost},t=${ARGON2ID.timeCost},p=1$`

const limited = concurrencyLimit({
  name: 'password hashes',
  concurrency: MAX_CONCURRENT_HASHING,
  maxQueued: MAX_QUEUED_HASHING,
})

export const hashPassword = (password: string) =>
  limited.run(() => Bun.password.hash(password, ARGON2ID))

export const verifyPassword = (password: string, hash: string) =>
  limited.run(() => Bun.password.verify(password, hash))

/**
 * Looks the hash up and checks the password in one place of the queue: a flood of logins is
 * refused (LimitReached) before each asks the database for a hash, not after.
 */
export const checkPassword = <T>(
  password: string,
  lookUp: () => Promise<{ hash: string; found: T | undefined }>,
): Promise<{ ok: boolean; found: T | undefined }> =>
  limited.run(async () => {
    const { hash, found } = await lookUp()
    return { ok: await Bun.password.verify(password, hash), found }
  })

/** Whether a stored hash was made with other parameters than today's. */
export const needsRehash = (hash: string) => !hash.startsWith(PARAMETERS)
