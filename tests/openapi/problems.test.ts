import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { policyOfPath } from '../../src/http/middleware/route-policy'
import { book, fixtures, hoursAhead, minutesAfter } from '../bookings/fixtures'
import { readJson, testApp, type TestApp } from '../support/app'

const methods = ['get', 'put', 'post', 'delete', 'patch']

let t: TestApp
let doc: any
const f = fixtures(() => t)

beforeAll(async () => {
  t = await testApp()
  doc = await readJson(await t.app.request('/api/openapi.json'))
})

afterAll(() => f.cleanup())

const operations = () =>
  Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    methods
      .filter((m) => item[m])
      .map((m) => ({ key: `${m.toUpperCase()} ${path}`, path, operation: item[m] })),
  )

const problemSchema = (response: any): string | undefined =>
  response?.content?.['application/problem+json']?.schema?.$ref?.split('/').pop()

/** The routes the memory guard never sheds, as they declare it. */
const isHealth = (path: string) => policyOfPath(t.app.routes, path).guard === 'health'

/** The problems a route answers because of what it is, whatever its handler does. */
function expectedStatuses(path: string, operation: any): number[] {
  const statuses: number[] = []
  if (operation.requestBody) statuses.push(400, 413, 415)
  if (operation.parameters?.length) statuses.push(400)
  if (operation.security?.length) statuses.push(401)
  if (path.startsWith('/api/admin')) statuses.push(403)
  if (path.includes('{')) statuses.push(404)
  if (operation.parameters?.some((p: any) => p.in === 'header' && p.name === 'idempotency-key'))
    statuses.push(409, 422)
  if (!isHealth(path)) statuses.push(503)
  return statuses
}

describe('the problems each route declares', () => {
  test('every route declares the problems its definition implies', () => {
    const missing = operations().flatMap(({ key, path, operation }) =>
      expectedStatuses(path, operation)
        .filter((status) => !problemSchema(operation.responses[status]))
        .map((status) => `${key}: ${status}`),
    )
    expect(missing).toEqual([])
  })

  test('a 429 or 503 says when to retry; 409, 413, 422, 503 bodies carry their fields', () => {
    const wrong = operations().flatMap(({ key, path, operation }) => {
      const found: string[] = []
      for (const status of [429, 503]) {
        const refusal = operation.responses[status]
        if (refusal && !isHealth(path) && !refusal.headers?.['Retry-After'])
          found.push(`${key}: ${status} without Retry-After`)
      }
      const expected: Record<number, string> = {
        409: 'ConflictProblem',
        413: 'TooLargeProblem',
        422: 'UnprocessableProblem',
        503: 'UnavailableProblem',
      }
      for (const [status, schema] of Object.entries(expected)) {
        const response = operation.responses[status]
        if (response && problemSchema(response) !== schema) found.push(`${key}: ${status}`)
      }
      return found
    })
    expect(wrong).toEqual([])
    // Each extends Problem: { allOf: [{ $ref: Problem }, { properties }] }
    const props = (name: string) => Object.keys(doc.components.schemas[name].allOf[1].properties)
    expect(props('ConflictProblem')).toContain('conflict')
    expect(props('UnprocessableProblem')).toContain('rule')
    expect(Object.keys(doc.components.schemas.Problem.properties)).toContain('errors')
    expect(props('UnavailableProblem')).toContain('reason')
  })

  test('the routes that replay by Idempotency-Key declare the header', () => {
    const withKey = operations()
      .filter(({ operation }) =>
        operation.parameters?.some((p: any) => p.in === 'header' && p.name === 'idempotency-key'),
      )
      .map(({ key }) => key)
    expect(withKey).toEqual(
      expect.arrayContaining([
        'POST /api/bookings',
        'PATCH /api/bookings/{id}',
        'POST /api/rack-orders',
      ]),
    )
  })

  test('a taken slot is answered as declared: 409 with the conflicting booking', async () => {
    const me = await f.user()
    const venue = await f.venue()
    const start = hoursAhead(30)
    const slot = { venue_id: venue, start_datetime: start, end_datetime: minutesAfter(start, 60) }
    expect((await book(t, me, slot)).status).toBe(201)
    const res = await book(t, me, slot)
    expect(res.status).toBe(409)
    const body = await readJson(res)
    expect(body.conflict).toMatchObject({ source: 'booking', start_datetime: start })
    const declared = doc.components.schemas.ConflictProblem.allOf[1].properties.conflict
    expect(Object.keys(declared.properties)).toEqual(
      expect.arrayContaining(Object.keys(body.conflict)),
    )
  })
})
