/** A part of a multipart body. */
export interface Part {
  field: string
  filename?: string
  contentType?: string
  bytes: Uint8Array
}

export type BodySpec =
  /** Sent as is; no Content-Type unless `contentType` says so. */
  | { kind: 'bytes'; bytes: Uint8Array; contentType?: string }
  /** A JSON object with one string field `bytes` long: bigger than the body limit. */
  | { kind: 'oversize'; bytes: number; chunked: boolean; contentType: string }
  | {
      kind: 'multipart'
      parts: Part[]
      boundary: string
      contentType?: string
      truncateAt?: number
    }

/** One generated request: what it is for, what is wrong with it, and how to send it. */
export interface FuzzRequest {
  /** `METHOD /path/{id}` of the document operation it targets. */
  op: string
  /** What is malformed, e.g. `body.wrong-type:capacity` or `path.id:hex`. */
  defect: string
  method: string
  /** Path and query string, already encoded (odd encodings included on purpose). */
  url: string
  headers: Record<string, string>
  body?: BodySpec
}

const encoder = new TextEncoder()
export const utf8 = (text: string) => encoder.encode(text)

function multipart(body: Extract<BodySpec, { kind: 'multipart' }>): Uint8Array {
  const chunks: Uint8Array[] = []
  for (const part of body.parts) {
    const disposition = `form-data; name="${part.field}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : ''
    chunks.push(
      utf8(`--${body.boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      part.bytes,
      utf8('\r\n'),
    )
  }
  chunks.push(utf8(`--${body.boundary}--\r\n`))
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    all.set(c, at)
    at += c.length
  }
  return body.truncateAt === undefined
    ? all
    : all.subarray(0, Math.min(body.truncateAt, all.length - 1))
}

/** A body of `size` bytes, produced in pieces so a chunked one has no Content-Length. */
function oversizeStream(size: number): ReadableStream<Uint8Array> {
  const piece = utf8('a'.repeat(64 * 1024))
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(utf8('{"name":"'))
        sent = 9
      } else if (sent < size) {
        controller.enqueue(piece)
        sent += piece.length
      } else {
        controller.enqueue(utf8('"}'))
        controller.close()
      }
    },
  })
}

/** The fetch init for a generated request (bodies are built only now, at send time). */
export function toInit(req: FuzzRequest): RequestInit {
  const headers = { ...req.headers }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers }
  const body = req.body
  if (!body) return init
  if (body.kind === 'bytes') {
    if (body.contentType !== undefined) headers['content-type'] = body.contentType
    init.body = body.bytes
  } else if (body.kind === 'oversize') {
    headers['content-type'] = body.contentType
    if (body.chunked) {
      init.body = oversizeStream(body.bytes)
      init.duplex = 'half'
    } else {
      init.body = utf8(`{"name":"${'a'.repeat(body.bytes)}"}`)
    }
  } else {
    headers['content-type'] = body.contentType ?? `multipart/form-data; boundary=${body.boundary}`
    init.body = multipart(body)
  }
  return init
}

/** A short, printable account of a request, for the results. */
export function describe(req: FuzzRequest): string {
  const body = req.body
  let text = ''
  if (body?.kind === 'bytes') {
    const decoded = new TextDecoder().decode(body.bytes.subarray(0, 160))
    text = ` ${body.contentType ?? '(no content-type)'} ${JSON.stringify(decoded)}${body.bytes.length > 160 ? `... (${body.bytes.length} bytes)` : ''}`
  } else if (body?.kind === 'oversize') {
    text = ` ${body.bytes} bytes${body.chunked ? ' chunked' : ''}`
  } else if (body) {
    text = ` multipart ${body.parts.map((p) => `${p.field}:${p.filename ?? ''}:${p.bytes.length}`).join(',')}`
  }
  const auth = req.headers.authorization ?? req.headers.Authorization
  return `${req.method} ${req.url}${auth ? ` [${auth.slice(0, 24)}...]` : ''}${text}`
}
