import { Problem } from '../problem'
import { parseByteRange } from './byte-range'

export interface StoredFile {
  path: string
  size: number
  mime: string
  /** A strong validator, quoted (RFC 9110 §8.8.3). */
  etag: string
  disposition: string
  cacheControl: string
}

/** Weak comparison, as If-None-Match uses (RFC 9110 §13.1.2). */
function matchesAny(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}

/**
 * Answers a read of a file on disk without loading it: the body is a lazy Bun.file slice that
 * the server streams. Honours If-None-Match (304), If-Range and a single byte range (206/416).
 */
export function fileResponse(request: Request, file: StoredFile): Response {
  const headers = new Headers({
    'Content-Type': file.mime,
    ETag: file.etag,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': file.disposition,
    'Cache-Control': file.cacheControl,
    'X-Content-Type-Options': 'nosniff',
    // User content must never run as a page of this origin, even if opened directly.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  })
  const ifNoneMatch = request.headers.get('If-None-Match')
  if (ifNoneMatch && matchesAny(ifNoneMatch, file.etag)) {
    return new Response(null, { status: 304, headers })
  }
  const ifRange = request.headers.get('If-Range')
  // A range of a representation the client no longer has would splice two versions together.
  const stale = ifRange !== null && ifRange.trim() !== file.etag
  const rangeHeader = stale ? undefined : (request.headers.get('Range') ?? undefined)
  const range = parseByteRange(rangeHeader, file.size)
  if (range.kind === 'unsatisfiable') {
    throw new Problem(416, `The file has ${file.size} bytes; the requested range is outside it.`, {
      type: 'range-not-satisfiable',
      headers: { 'Content-Range': `bytes */${file.size}`, 'Accept-Ranges': 'bytes' },
    })
  }
  const body = Bun.file(file.path, { type: file.mime })
  if (range.kind === 'part') {
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
    headers.set('Content-Length', String(range.end - range.start + 1))
    return new Response(body.slice(range.start, range.end + 1), { status: 206, headers })
  }
  headers.set('Content-Length', String(file.size))
  return new Response(body, { status: 200, headers })
}
