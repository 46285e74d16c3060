import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { envSchema } from '../../src/env'

describe('.env.example', () => {
  test('lists every setting the service reads, and none it does not', async () => {
    const text = await Bun.file(join(import.meta.dir, '..', '..', '.env.example')).text()
    const listed = [...text.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1])
    const read = Object.keys(envSchema.shape)
    expect({ missing: read.filter((name) => !listed.includes(name)) }).toEqual({ missing: [] })
    expect({ unknown: listed.filter((name) => !read.includes(name!)) }).toEqual({ unknown: [] })
  })
})
