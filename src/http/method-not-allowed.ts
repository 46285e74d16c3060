import type { Hono } from 'hono'
import { TrieRouter } from 'hono/router/trie-router'

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Hono answers a known path with the wrong method as 404. This indexes the app's endpoints (not
 * its middleware, which hono registers as method ALL) so a 404 can be told apart from a 405.
 */
export function allowedMethodsFinder(app: Hono<any, any, any>) {
  let router: TrieRouter<true> | undefined
  return (path: string): string[] => {
    if (!router) {
      router = new TrieRouter<true>()
      for (const route of app.routes) {
        if (route.method !== 'ALL') router.add(route.method, route.path, true)
      }
    }
    const found = methods.filter((m) => router!.match(m, path)[0].length > 0)
    if (found.includes('GET') && !found.includes('HEAD')) found.push('HEAD')
    return found
  }
}
