import { RedisClient } from 'bun'
import { uniq } from '../support/app'

export const REDIS_URL = 'redis://127.0.0.1:6379'

/** Whether the local Redis answers; the Redis tests are skipped (and say so) when it does not. */
export async function redisAvailable(): Promise<boolean> {
  const client = new RedisClient(REDIS_URL, { connectionTimeout: 1000, autoReconnect: false })
  try {
    return (await client.send('PING', [])) === 'PONG'
  } catch {
    return false
  } finally {
    client.close()
  }
}

/** Settings for an app on the local Redis, under a key prefix no other run shares. */
export function redisSettings() {
  return { REDIS_URL, REDIS_KEY_PREFIX: `test:${uniq()}:` }
}

/** Deletes every key under `prefix`, so a run leaves nothing behind. */
export async function dropKeys(prefix: string): Promise<number> {
  const client = new RedisClient(REDIS_URL)
  let dropped = 0
  try {
    let cursor = '0'
    do {
      const page = await client.send('SCAN', [cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])
      const [next, keys] = page as [string, string[]]
      if (keys.length > 0) dropped += await client.send('DEL', keys)
      cursor = next
    } while (cursor !== '0')
    return dropped
  } finally {
    client.close()
  }
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const client = new RedisClient(REDIS_URL)
  try {
    return (await client.send('KEYS', [`${prefix}*`])) as string[]
  } finally {
    client.close()
  }
}
