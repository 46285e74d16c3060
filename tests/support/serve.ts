import type { TestApp } from './app'

/** Serves a test app on a real loopback port, for tests that need real concurrent HTTP. */
export function serve(t: TestApp) {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: t.app.fetch })
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: () => server.stop(true),
  }
}
