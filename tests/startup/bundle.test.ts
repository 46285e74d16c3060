import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildScratchBundle } from '../../scripts/build'
import { JSC_RAM_SIZE } from '../../src/app/runtime'
import { environmentOf, startServerProcess, type ServerProcess } from '../support/process'

const root = join(import.meta.dir, '..', '..')
let bundle: Awaited<ReturnType<typeof buildScratchBundle>>
let server: ServerProcess

beforeAll(async () => {
  bundle = await buildScratchBundle('test')
  // Under a limit, so the bundle also runs itself again with its runtime set, as in a container.
  // 1 GB: PGlite alone holds a few hundred MB, which at 512 MB would put the guard at critical.
  server = await startServerProcess({ MEMORY_LIMIT_MB: '1024' }, bundle.entry)
}, 120_000)

afterAll(() => {
  server?.cleanup()
  bundle?.remove()
})

describe('the bundle the image runs', () => {
  test('migrates its database and is ready, as the same process, its runtime set', async () => {
    expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(200)
    expect(environmentOf(server.proc.pid)[JSC_RAM_SIZE]).toBeDefined()
  })

  test('serves the routes whose code loads on first use, with the files they read', async () => {
    const status = await fetch(`${server.url}/status`)
    expect(status.status).toBe(200)
    const page = await status.text()
    const script = readFileSync(join(root, 'src', 'routes', 'status', 'status.client.js'), 'utf8')
    // The script is read from beside the code when the page first loads, not bundled.
    const line = script.split('\n').find((l) => l.includes('WINDOW_MS'))!
    expect(page).toContain(line.trim())

    const document = await fetch(`${server.url}/api/openapi.json`)
    expect(document.status).toBe(200)
    expect(((await document.json()) as { openapi: string }).openapi).toStartWith('3.1')
    expect((await fetch(`${server.url}/api/docs`)).status).toBe(200)
    // Swagger UI's files come from node_modules beside the bundle, as in the image.
    const swagger = await fetch(`${server.url}/api/docs/assets/swagger-ui-bundle.js`)
    expect(swagger.status).toBe(200)
    expect(await swagger.text()).toContain('SwaggerUIBundle')
  })

  test('answers bad input with a problem, as the sources do', async () => {
    const res = await fetch(`${server.url}/api/venues?page_size=0`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toStartWith('application/problem+json')
  })
})
