import { z } from 'zod'
import { isTimeZone } from './lib/temporal'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max)

const csv = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )

/** Every setting the service reads, with its default. The only place that touches process.env. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DB_POOL_SIZE: int(1, 100).default(3),
    DB_MAX_OVERFLOW: int(0, 100).default(3),
    DB_CONNECT_TIMEOUT_SECONDS: int(1, 120).default(5),
    DB_STATEMENT_TIMEOUT_MS: int(0).default(15_000),
    DB_QUERY_TIMEOUT_MS: int(0).default(5000),
    DB_KEEPALIVE_SECONDS: int(1, 7200).default(30),
    DB_MIGRATE_ON_START: bool.default(true),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_EXPIRES_IN_SECONDS: int(60).default(86_400),
    AUTH_STATE_TTL_SECONDS: int(0, 60).default(5),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    APP_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone').default('UTC'),
    CORS_ORIGINS: csv.default([]),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    SHUTDOWN_TIMEOUT_SECONDS: int(1, 600).default(10),
    MAX_BODY_SIZE_MB: int(1, 1024).default(15),
    ANONYMOUS_BODY_MAX_KB: int(1, 1024 * 1024).default(16),
    BODY_BUDGET_MB: int(1, 1024 * 1024).optional(),
    MEMORY_LIMIT_MB: int(16).optional(),
    MEMORY_CHECK_INTERVAL_MS: int(50, 60_000).default(2000),
    MEMORY_THRESHOLD_PERCENT: int(1, 100).default(85),
    MEMORY_CRITICAL_PERCENT: int(1, 100).default(90),
    GC_INTERVAL_SECONDS: int(0, 86_400).default(30),
    MAX_IN_FLIGHT: int(1, 100_000).default(256),
    MEMORY_GUARD_ENABLED: bool.default(true),
    UPLOAD_DIR: z.string().min(1).default('./data/uploads'),
    UPLOAD_MAX_FILE_MB: int(1, 1024).default(10),
    UPLOAD_MAX_FILES: int(1, 100).default(10),
    CACHE_TTL_SECONDS: int(0, 86_400).default(60),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
    REDIS_KEY_PREFIX: z.string().max(100).default('venue-booking:'),
    METRICS_TOKEN: z.string().min(1).optional(),
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: int(1, 1_000_000).default(10),
    LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE: int(1, 1_000_000).default(30),
    TRUSTED_PROXIES: csv.default([]),
    PAGINATION_EXACT_TOTAL_MAX: int(1, 10_000_000).default(10_000),
    IDEMPOTENCY_KEY_HOURS: int(1, 8760).default(24),
  })
  .superRefine((env, ctx) => {
    if (env.MEMORY_CRITICAL_PERCENT < env.MEMORY_THRESHOLD_PERCENT) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEMORY_CRITICAL_PERCENT'],
        message: 'must be at least MEMORY_THRESHOLD_PERCENT',
      })
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' })
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
      })
    }
  })

export type Env = z.infer<typeof envSchema>

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment: ${problems.join('; ')}`)
  }
}

/** Parses a set of variables; empty strings count as unset so `FOO=` in a .env falls back. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''))
  const result = envSchema.safeParse(cleaned)
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'env'} ${issue.message}`),
    )
  }
  return result.data
}

/**
 * The whole environment as it was given, to hand on when the process runs itself again with its
 * runtime set for a memory limit (src/app/runtime.ts).
 */
export function inheritedEnvironment(
  source: Record<string, string | undefined> = process.env,
): Record<string, string> {
  return z.record(z.string(), z.string()).parse(
    Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)),
  )
}
