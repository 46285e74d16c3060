/** A small JSON client for setting up and checking state through the public API. */
export interface Answer {
  status: number
  body: any
  headers: Headers
}

export interface CallOptions {
  token?: string
  json?: unknown
  form?: FormData
  headers?: Record<string, string>
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

export function api(base: string) {
  async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) Object.assign(headers, bearer(options.token))
    let body: string | FormData | undefined
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.form) {
      body = options.form
    }
    const res = await fetch(`${base}${path}`, { method, headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON (an export, the docs page): keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers }
  }

  /** Like call, but throws unless the answer has the given status. */
  async function must(status: number, method: string, path: string, options?: CallOptions) {
    const answer = await call(method, path, options)
    if (answer.status !== status) {
      throw new Error(
        `${method} ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
      )
    }
    return answer.body
  }

  return { base, call, must }
}

export type Api = ReturnType<typeof api>
