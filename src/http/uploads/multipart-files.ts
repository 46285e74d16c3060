import { Busboy, type BusboyFileStream, type BusboyInstance } from '@fastify/busboy'
import { once } from 'node:events'
import { countBody } from '../middleware/body-limit'
import { asProblem, badRequest, Problem } from '../problem'
import type { FilePart } from '../../services/uploads/upload-store'
import { MAX_TEXT_FIELDS, MAX_TEXT_FIELD_BYTES, type UploadLimits } from '../../services/uploads/limits'


const tooLarge = (detail: string) => new Problem(413, detail, { type: 'upload-too-large' })
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`

export interface ReceiveOptions<T> {
  limits: UploadLimits
  /** Consumes one file's stream; its result is what the request's files turn into. */
  onFile: (part: FilePart) => Promise<T>
  /** Undoes one result when the request fails after it was produced. */
  discard: (result: T) => Promise<void>
  /** Told the size of each chunk of the body once it has been handed on. */
  onRead?: (bytes: number) => void
}

/**
 * Parses a multipart request as it arrives: the Web body stream is fed to busboy chunk by chunk,
 * waiting for busboy (and so for `onFile`, which consumes each file stream) before reading on, so
 * at most a few chunks are ever held in memory. The body is counted against the request-wide
 * limit as it is read (the rule every body gets, from the body-limit middleware). Every file of
 * `limits.field` goes to `onFile` in order. All or nothing: on any failure (a limit, a malformed
 * body, `onFile` throwing) reading stops, each result already produced is handed to `discard`,
 * and the failure is thrown.
 */
export async function receiveFiles<T>(
  request: Request,
  options: ReceiveOptions<T>,
): Promise<T[]> {
  const { limits, onFile, discard, onRead } = options
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    const detail = `Send the files as multipart/form-data in the \`${limits.field}\` field.`
    throw new Problem(415, detail, { type: 'unsupported-media-type' })
  }
  const count = countBody(request.headers, limits.maxRequestBytes)
  if (!request.body) throw badRequest(`No files: send them in the \`${limits.field}\` field.`)

  let parser: BusboyInstance
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      limits: {
        files: limits.maxFiles,
        fileSize: limits.maxFileBytes,
        fields: MAX_TEXT_FIELDS,
        fieldSize: MAX_TEXT_FIELD_BYTES,
        parts: limits.maxFiles + MAX_TEXT_FIELDS,
        headerPairs: 20,
        headerSize: 16 * 1024,
      },
    })
  } catch {
    throw badRequest('The multipart Content-Type has no boundary.')
  }

  const reader = request.body.getReader()
  // Waits are ended by aborting, never by racing a long-lived promise: a pending race would keep
  // every chunk it ever saw alive until the request ends.
  const abort = new AbortController()
  const open = new Set<BusboyFileStream>()
  const tasks: Promise<T>[] = []
  let failure: unknown
  const fail = (error: unknown) => {
    if (failure !== undefined) return
    failure = error
    for (const stream of open) stream.destroy()
    abort.abort()
    reader.cancel().catch(() => {})
  }

  parser.on('file', (field, stream, filename, _encoding, mime) => {
    if (failure !== undefined) {
      stream.resume()
      return
    }
    if (field !== limits.field) {
      stream.resume()
      fail(badRequest(`Files go in the \`${limits.field}\` field, not \`${field}\`.`))
      return
    }
    // Failures reach `onFile` through its iteration of the stream; this only keeps a destroyed,
    // no longer iterated stream from raising an unhandled 'error'.
    stream.on('error', () => {})
    open.add(stream)
    stream.once('close', () => open.delete(stream))
    stream.once('limit', () => {
      const limit = megabytes(limits.maxFileBytes)
      fail(tooLarge(`"${filename}" is larger than ${limit}, the limit per file.`))
    })
    const task = onFile({ filename, declaredMime: mime, stream })
    task.catch(fail)
    tasks.push(task)
  })
  parser.on('filesLimit', () => fail(tooLarge(`At most ${limits.maxFiles} files per request.`)))
  parser.on('partsLimit', () => fail(tooLarge('The form has too many parts.')))
  parser.on('error', () => fail(badRequest('The multipart body is malformed or ends early.')))

  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done || failure !== undefined) break
      count(value.byteLength)
      if (!parser.write(value)) await once(parser, 'drain', { signal: abort.signal })
      onRead?.(value.byteLength)
    }
    if (failure === undefined) {
      const finished = once(parser, 'finish', { signal: abort.signal })
      parser.end()
      await finished
    }
  } catch (error) {
    // A Problem here is the body's limit; anything else, a body that could not be read.
    fail(asProblem(error) ?? badRequest('The request body could not be read.'))
  }
  if (failure !== undefined) parser.destroy()

  const settled = await Promise.allSettled(tasks)
  if (failure === undefined && tasks.length === 0) {
    fail(badRequest(`No files: send one or more in the \`${limits.field}\` field.`))
  }
  if (failure !== undefined) {
    await Promise.all(
      settled.map((r) => (r.status === 'fulfilled' ? discard(r.value).catch(() => {}) : undefined)),
    )
    throw failure
  }
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}
