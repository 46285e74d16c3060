import { ServiceError } from '../errors'

/** What an upload is, by its bytes: the canonical MIME type and the extension it is stored with. */
export interface AllowedType {
  mime: string
  ext: string
}

const allowed: Record<string, { ext: string; extensions: string[]; aliases: string[] }> = {
  'image/jpeg': {
    ext: 'jpg',
    extensions: ['jpg', 'jpeg', 'jpe', 'jfif'],
    aliases: ['image/jpg', 'image/pjpeg'],
  },
  'image/png': { ext: 'png', extensions: ['png'], aliases: ['image/x-png'] },
  'image/webp': { ext: 'webp', extensions: ['webp'], aliases: [] },
  'image/gif': { ext: 'gif', extensions: ['gif'], aliases: [] },
  'application/pdf': { ext: 'pdf', extensions: ['pdf'], aliases: ['application/x-pdf'] },
}

export const storedExtensions = Object.values(allowed).map((t) => t.ext)

const byAlias = new Map(
  Object.entries(allowed).flatMap(([mime, t]) =>
    [mime, ...t.aliases].map((alias) => [alias, mime] as const),
  ),
)
const byExtension = new Map(
  Object.entries(allowed).flatMap(([mime, t]) => t.extensions.map((e) => [e, mime] as const)),
)

/** Types that say nothing about the content: browsers send them for unknown extensions. */
const generic = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/unknown',
])

/** file-type's own "reasonable detection size": enough of the head for every allowed type. */
export const SNIFF_BYTES = 4100

const unsupported = (detail: string) => new ServiceError('unsupported', detail, { type: 'unsupported-file-type' })

/**
 * Decides a file's type from its first bytes and refuses anything off the allowlist, or a file
 * whose declared type or name says it is something else than its bytes are (a renamed file).
 */
export async function identifyFile(
  head: Uint8Array,
  declaredMime: string,
  filename: string,
): Promise<AllowedType> {
  // Imported on the first upload: file-type and its tokenizers are not needed before.
  const { fileTypeFromBuffer } = await import('file-type')
  const sniffed = head.length > 0 ? await fileTypeFromBuffer(head) : undefined
  const kind = sniffed ? allowed[sniffed.mime] : undefined
  if (!sniffed || !kind) {
    throw unsupported(
      `"${filename || 'file'}" is not a JPEG, PNG, WebP, GIF or PDF file (judged by its content).`,
    )
  }
  const declared = declaredMime.toLowerCase()
  if (!generic.has(declared) && byAlias.get(declared) !== sniffed.mime) {
    throw unsupported(
      `"${filename}" is declared as ${declared} but its content is ${sniffed.mime}.`,
    )
  }
  const dot = filename.lastIndexOf('.')
  const named = dot > 0 ? byExtension.get(filename.slice(dot + 1).toLowerCase()) : undefined
  if (named && named !== sniffed.mime) {
    throw unsupported(`"${filename}" is named as ${named} but its content is ${sniffed.mime}.`)
  }
  return { mime: sniffed.mime, ext: kind.ext }
}
