import { RedisClient } from 'bun'

/** The few things the service asks of Redis. */
export interface Redis {
  /** A raw command; rejects at once while Redis is down, and after `timeoutMs` without answer. */
  send(command: string, args: string[]): Promise<any>
  /** Prefix of every key this service writes, so several services can share one Redis. */
  readonly keyPrefix: string
  close(): void
}

/** After a failed connection, commands fail at once for this long instead of each trying again. */
const RETRY_CONNECT_AFTER_MS = 1000

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis ${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * One Bun Redis client (auto-pipelined), connected on first use and reconnected on demand.
 * Nothing waits on a Redis outage: commands are not queued while disconnected, Bun's own
 * reconnect loop (which blocks connect() for half a minute) is off, and a failed connection is
 * retried at most once a second. Callers fall back rather than hang.
 */
export function openRedis(url: string, keyPrefix: string, timeoutMs = 1000): Redis {
  const client = new RedisClient(url, {
    connectionTimeout: timeoutMs,
    enableOfflineQueue: false,
    autoReconnect: false,
  })
  let connecting: Promise<void> | undefined
  let downUntil = 0
  let closed = false

  const connect = (): Promise<void> => {
    if (Date.now() < downUntil) return Promise.reject(new Error('redis is unavailable'))
    connecting ??= withTimeout(client.connect(), timeoutMs, 'connect')
      .catch((error) => {
        downUntil = Date.now() + RETRY_CONNECT_AFTER_MS
        throw error
      })
      .finally(() => {
        connecting = undefined
      })
    return connecting
  }

  return {
    keyPrefix,
    async send(command, args) {
      if (closed) throw new Error('redis client is closed')
      if (!client.connected) await connect()
      return withTimeout(client.send(command, args), timeoutMs, command)
    },
    close() {
      closed = true
      client.close()
    },
  }
}
