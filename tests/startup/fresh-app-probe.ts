// Run by lazy-handlers.test.ts in a process of its own, so no other test has loaded anything: a
// fresh app, the handler modules loaded after each step, and what the first requests answered.
// Prints one JSON line.
import { closeSharedDatabase, testApp } from '../support/app'
import { makeUser, removeUsers } from '../support/users'

const handlerModules = {
  exports: '/routes/exports/exports.handlers',
  uploads: '/routes/uploads/uploads.handlers',
  status: '/routes/status/status.handlers',
  docs: '/routes/docs/docs.handlers',
}
const loaded = () =>
  Object.fromEntries(
    Object.entries(handlerModules).map(([group, path]) => [
      group,
      Object.keys(require.cache).some((key) => key.includes(path)),
    ]),
  )

const t = await testApp()
const admin = await makeUser(t, 'admin')
try {
  const steps: Record<string, unknown> = { fresh: loaded() }

  const wrongMethod = await t.app.request('/api/uploads', { method: 'DELETE', headers: admin.auth })
  steps.wrongMethod = {
    status: wrongMethod.status,
    allow: wrongMethod.headers.get('allow'),
    loaded: loaded(),
  }

  // Two at once: both wait for the one import.
  const lists = await Promise.all(
    [1, 2].map(() => t.app.request('/api/uploads', { headers: admin.auth })),
  )
  steps.uploads = {
    status: lists.map((r) => r.status),
    bodies: await Promise.all(lists.map((r) => r.json())),
    loaded: loaded(),
  }

  const exported = await t.app.request('/api/admin/bookings/export?format=ndjson', {
    headers: admin.auth,
  })
  await exported.arrayBuffer()
  steps.exports = {
    status: exported.status,
    type: exported.headers.get('content-type'),
    loaded: loaded(),
  }

  const page = await t.app.request('/status')
  steps.status = { status: page.status, html: (await page.text()).slice(0, 15), loaded: loaded() }

  const doc = await t.app.request('/api/openapi.json')
  const docPage = await t.app.request('/api/docs')
  const paths = Object.keys(((await doc.json()) as { paths: object }).paths)
  steps.docs = {
    status: [doc.status, docPage.status],
    documents: ['/api/uploads', '/api/uploads/{id}', '/api/admin/bookings/export', '/status']
      .filter((p) => paths.includes(p)),
    loaded: loaded(),
  }
  console.log(JSON.stringify(steps))
} finally {
  await removeUsers(t, [admin.id])
  await closeSharedDatabase()
}
