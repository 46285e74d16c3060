import pino from 'pino'
import type { Env } from '../env'

export type Logger = pino.Logger

/** One JSON object per line on stdout, the shape log shippers expect from a container. */
export function createLogger(level: Env['LOG_LEVEL']): Logger {
  return pino({
    level,
    base: { service: 'venue-booking-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}
