import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, rename, rm, utimes } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ServiceError } from '../errors'
import { SNIFF_BYTES, identifyFile, storedExtensions, type AllowedType } from './file-types'
import { sanitizeOriginalName } from './original-name'

/** One file of a multipart body, as the HTTP layer hands it over. */
export interface FilePart {
  filename: string
  /** The part's Content-Type as the client sent it; a claim, not a fact. */
  declaredMime: string
  /** `truncated` turns true when the per-file limit cut the stream short. */
  stream: AsyncIterable<Uint8Array> & { truncated: boolean }
}

/** A file fully received under a temporary name, not yet an upload. */
export interface ReceivedFile {
  tempPath: string
  originalName: string
  mime: string
  ext: string
  sizeBytes: number
  sha256: string
}

const TEMP_PREFIX = '.incoming-'
const TEMP_SUFFIX = '.part'
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const storedNamePattern = new RegExp(`^${uuid}\\.(${storedExtensions.join('|')})$`)

/** A file this store writes: a part still arriving (or waiting for its commit), or a stored one. */
export function uploadFileKind(name: string): 'partial' | 'stored' | undefined {
  if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) return 'partial'
  return storedNamePattern.test(name) ? 'stored' : undefined
}

/**
 * How often a received file waiting for the rest of its request has its mtime refreshed. Sweeps
 * (of this instance or of another on the same volume) judge a file by its mtime, so a file a live
 * process holds never looks older than this, however slowly the rest of its request arrives.
 */
export const HELD_FILE_REFRESH_MS = 60 * 1000

async function writeFully(handle: Awaited<ReturnType<typeof open>>, chunk: Uint8Array) {
  for (let offset = 0; offset < chunk.byteLength; ) {
    const { bytesWritten } = await handle.write(chunk, offset)
    offset += bytesWritten
  }
}

export interface UploadStore {
  dir: string
  /**
   * Streams a part to a temporary file, hashing it and deciding its type from its first bytes;
   * the file is then held (kept fresh) until it is committed or removed.
   */
  receive(part: FilePart): Promise<ReceivedFile>
  /** Gives a received file its final, generated name: complete files only ever appear whole. */
  commit(file: ReceivedFile): Promise<string>
  pathOf(storedName: string): string
  remove(path: string): Promise<void>
}

function createUploadStore(dir: string): UploadStore {
  const pathOf = (storedName: string) => {
    // Stored names are generated, never taken from a client; this keeps even a bad row in the dir.
    if (!storedNamePattern.test(storedName)) {
      throw new Error(`not a stored upload name: ${storedName}`)
    }
    return join(dir, storedName)
  }

  // Received files wait, uncommitted, for the rest of their request: see HELD_FILE_REFRESH_MS.
  const held = new Set<string>()
  let refresher: Timer | undefined
  const refresh = () => {
    const now = new Date()
    for (const path of held) utimes(path, now, now).catch(() => {})
  }
  const hold = (path: string) => {
    held.add(path)
    if (!refresher) {
      refresher = setInterval(refresh, HELD_FILE_REFRESH_MS)
      refresher.unref()
    }
  }
  const release = (path: string) => {
    held.delete(path)
    if (held.size === 0 && refresher) {
      clearInterval(refresher)
      refresher = undefined
    }
  }
  const remove = (path: string) => {
    release(path)
    return rm(path, { force: true })
  }

  return {
    dir,
    pathOf,
    remove,

    async receive(part) {
      const tempPath = join(dir, `${TEMP_PREFIX}${randomUUID()}${TEMP_SUFFIX}`)
      const handle = await open(tempPath, 'wx', 0o640)
      const hash = createHash('sha256')
      const head = new Uint8Array(SNIFF_BYTES)
      let headLength = 0
      let type: AllowedType | undefined
      let sizeBytes = 0
      try {
        for await (const chunk of part.stream) {
          if (!type) {
            const take = Math.min(chunk.byteLength, SNIFF_BYTES - headLength)
            head.set(chunk.subarray(0, take), headLength)
            headLength += take
            if (headLength === SNIFF_BYTES) {
              type = await identifyFile(head, part.declaredMime, part.filename)
            }
          }
          hash.update(chunk)
          await writeFully(handle, chunk)
          sizeBytes += chunk.byteLength
        }
        if (part.stream.truncated) {
          throw new ServiceError('too_large', `"${part.filename}" is larger than the limit per file.`, {
            type: 'upload-too-large',
          })
        }
        type ??= await identifyFile(head.subarray(0, headLength), part.declaredMime, part.filename)
        await handle.datasync()
        await handle.close()
      } catch (error) {
        await handle.close().catch(() => {})
        await remove(tempPath)
        throw error
      }
      hold(tempPath)
      return {
        tempPath,
        originalName: sanitizeOriginalName(part.filename, type.ext),
        mime: type.mime,
        ext: type.ext,
        sizeBytes,
        sha256: hash.digest('hex'),
      }
    },

    async commit(file) {
      const storedName = `${randomUUID()}.${file.ext}`
      release(file.tempPath)
      await rename(file.tempPath, pathOf(storedName))
      return storedName
    },
  }
}

const stores = new Map<string, Promise<UploadStore>>()

/**
 * The store for UPLOAD_DIR, one per directory per process, made (with the directory) on first
 * use. What a crashed process left behind is removed by the upload sweep, not here.
 */
export function uploadStore(dir: string): Promise<UploadStore> {
  const absolute = resolve(dir)
  let store = stores.get(absolute)
  if (!store) {
    store = (async () => {
      await mkdir(absolute, { recursive: true, mode: 0o750 })
      return createUploadStore(absolute)
    })()
    store.catch(() => stores.delete(absolute))
    stores.set(absolute, store)
  }
  return store
}
