import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Problem } from '../problem'
import { SNIFF_BYTES, identifyFile, storedExtensions, type AllowedType } from './file-types'
import type { FilePart } from './multipart-files'
import { sanitizeOriginalName } from './original-name'

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
/** Temporary files older than this are left-overs of a crashed process. */
const STALE_TEMP_MS = 60 * 60 * 1000
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const storedNamePattern = new RegExp(`^${uuid}\\.(${storedExtensions.join('|')})$`)

async function writeFully(handle: Awaited<ReturnType<typeof open>>, chunk: Uint8Array) {
  for (let offset = 0; offset < chunk.byteLength; ) {
    const { bytesWritten } = await handle.write(chunk, offset)
    offset += bytesWritten
  }
}

export interface UploadStore {
  dir: string
  /** Streams a part to a temporary file, hashing it and deciding its type from its first bytes. */
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
  const remove = (path: string) => rm(path, { force: true })

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
        for await (const chunk of part.stream as AsyncIterable<Uint8Array>) {
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
          throw new Problem(413, `"${part.filename}" is larger than the limit per file.`, {
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
      await rename(file.tempPath, pathOf(storedName))
      return storedName
    },
  }
}

async function sweepStaleTemps(dir: string) {
  const cutoff = Date.now() - STALE_TEMP_MS
  for (const name of await readdir(dir)) {
    if (!name.startsWith(TEMP_PREFIX) || !name.endsWith(TEMP_SUFFIX)) continue
    const path = join(dir, name)
    const info = await stat(path).catch(() => undefined)
    if (info && info.mtimeMs < cutoff) await rm(path, { force: true })
  }
}

const stores = new Map<string, Promise<UploadStore>>()

/**
 * The store for UPLOAD_DIR, one per directory per process: made on first use, which also clears
 * temporary files a crashed process left behind.
 */
export function uploadStore(dir: string): Promise<UploadStore> {
  const absolute = resolve(dir)
  let store = stores.get(absolute)
  if (!store) {
    store = (async () => {
      await mkdir(absolute, { recursive: true, mode: 0o750 })
      await sweepStaleTemps(absolute)
      return createUploadStore(absolute)
    })()
    store.catch(() => stores.delete(absolute))
    stores.set(absolute, store)
  }
  return store
}
