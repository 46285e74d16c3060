const MAX_CHARS = 200
const MAX_EXTENSION_CHARS = 16

/**
 * The client's file name, fit to keep as metadata only: no directory part, no control or
 * invisible formatting characters (bidi overrides can disguise an extension), no leading dots,
 * at most 200 characters with the extension kept. Never used to build a path.
 */
export function sanitizeOriginalName(raw: string, fallbackExt: string): string {
  const base = raw.split(/[/\\]/).pop() ?? ''
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .replace(/^\.+/, '')
    .trim()
  const chars = Array.from(cleaned)
  if (chars.length === 0) return `upload.${fallbackExt}`
  if (chars.length <= MAX_CHARS) return cleaned
  const dot = chars.lastIndexOf('.')
  const ext = dot > 0 && chars.length - dot <= MAX_EXTENSION_CHARS ? chars.slice(dot) : []
  return [...chars.slice(0, MAX_CHARS - ext.length), ...ext].join('').trim()
}
