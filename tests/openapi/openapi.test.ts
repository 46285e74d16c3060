import { Validator } from '@seriousme/openapi-schema-validator'
import { beforeAll, describe, expect, test } from 'bun:test'
import pkg from '../../package.json'
import { readJson, testApp, type TestApp } from '../support/app'
import { appRoutes } from './app-routes'

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

let t: TestApp
let doc: any

beforeAll(async () => {
  t = await testApp()
  const res = await t.app.request('/api/openapi.json')
  expect(res.status).toBe(200)
  doc = await readJson(res)
})

/** Every operation of the document as `METHOD path` with the operation object. */
const operations = () =>
  Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    methods
      .filter((m) => item[m])
      .map((m) => ({ key: `${m.toUpperCase()} ${path}`, path, item, operation: item[m] })),
  )

describe('GET /api/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator()
    const result = await validator.validate(structuredClone(doc))
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2))
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    expect(() => validator.resolveRefs()).not.toThrow()
  }, 30_000) // compiling the OpenAPI meta-schemas takes a while on a busy machine

  test('names the API and its version, and declares the bearer scheme routes rely on', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.title).toBeString()
    expect(doc.info.version).toBe(pkg.version)
    expect(doc.info.description).toContain('problem+json')
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    })
  })

  test('documents every route of the app with at least one response', () => {
    const problems = appRoutes(t.app).flatMap(({ key, method, path }) => {
      const operation = doc.paths[path]?.[method.toLowerCase()]
      if (!operation) return [`${key}: not in the document`]
      if (Object.keys(operation.responses ?? {}).length === 0) return [`${key}: no responses`]
      return []
    })
    expect(problems).toEqual([])
  })

  test('documents no route the app does not answer', () => {
    const served = new Set(appRoutes(t.app).map((r) => r.key))
    expect(operations().map((o) => o.key).filter((key) => !served.has(key))).toEqual([])
  })

  test("declares each path's {params} as required path parameters, and no others", () => {
    const problems = operations().flatMap(({ key, path, item, operation }) => {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
      const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
        .filter((p: any) => p.in === 'path')
      const names = declared.map((p: any) => p.name).sort()
      const optional = declared.filter((p: any) => p.required !== true).map((p: any) => p.name)
      const out: string[] = []
      if (JSON.stringify(names) !== JSON.stringify(inPath)) {
        out.push(`${key}: path parameters [${names}] but the path has [${inPath}]`)
      }
      if (optional.length > 0) out.push(`${key}: path parameters not required: ${optional}`)
      return out
    })
    expect(problems).toEqual([])
  })

  test('every security requirement names a declared scheme', () => {
    const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}))
    const problems = operations().flatMap(({ key, operation }) =>
      (operation.security ?? [])
        .flatMap((req: Record<string, unknown>) => Object.keys(req))
        .filter((name: string) => !schemes.has(name))
        .map((name: string) => `${key}: unknown security scheme ${name}`),
    )
    expect(problems).toEqual([])
  })

  test('is the same document each time, its ETag turning a revalidation into 304', async () => {
    const first = await t.app.request('/api/openapi.json')
    const etag = first.headers.get('etag')
    expect(first.headers.get('content-type')).toStartWith('application/json')
    expect(etag).toMatch(/^"[^"]+"$/)
    expect(await first.text()).toBe(JSON.stringify(doc))

    const again = await t.app.request('/api/openapi.json', { headers: { 'If-None-Match': etag! } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')

    const stale = await t.app.request('/api/openapi.json', {
      headers: { 'If-None-Match': '"old"' },
    })
    expect(stale.status).toBe(200)
    await stale.body?.cancel()
  })
})

describe('GET /api/docs', () => {
  test('is an HTML page that renders /api/openapi.json', async () => {
    const res = await t.app.request('/api/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/html')
    const page = await res.text()
    expect(page).toStartWith('<!doctype html>')
    expect(page).toContain("url: '/api/openapi.json'")
    expect(page).toContain('<a href="/api/openapi.json">')
  })
})
