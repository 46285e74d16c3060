/** RFC 8187 attr-char: what may stand unescaped in `filename*`. */
const encodeExtValue = (value: string) =>
  encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  )

/**
 * A Content-Disposition header per RFC 6266: an ASCII `filename` for old clients (no quotes,
 * backslashes or percent signs, which some decode) and the exact name as UTF-8 in `filename*`.
 */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(filename)}`
}
