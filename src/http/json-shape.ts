const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

export interface JsonShapeLimits {
  /** Arrays and objects open at once. */
  maxDepth: number
  /** Arrays, objects and the entries between commas, over the whole document. */
  maxValues: number
}

/**
 * No request body of this API nests deeper than 3 or holds more than a few hundred values (a
 * booking's 50 items at most); these leave ample room for a future field while keeping a parsed
 * body far below its byte size.
 */
export const JSON_SHAPE_LIMITS: JsonShapeLimits = { maxDepth: 32, maxValues: 10_000 }

export type JsonShapeViolation = 'depth' | 'values'

/** Where a string that opens at `quote` closes (its closing quote), or the end of the bytes. */
function stringEnd(bytes: Uint8Array, quote: number): number {
  let at = quote
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1)
    if (at === -1) return bytes.length
    let backslashes = 0
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

/**
 * Checks a JSON document's nesting and size of structure on its bytes, before it is parsed.
 * JSON.parse allocates a JS array or object for every bracket it opens before it can see that the
 * document is malformed: 1 MB of `[` made the engine hold about 85 MB, 14 MB of it more than a
 * 128 MB container has; a flat array of small values costs tens of bytes per value in the same
 * way. Strings are skipped with a native search, so a legitimate body costs little more than a
 * pass over its punctuation. Malformed documents within the limits are left to JSON.parse.
 */
export function jsonShapeViolation(
  bytes: Uint8Array,
  limits: JsonShapeLimits = JSON_SHAPE_LIMITS,
): JsonShapeViolation | undefined {
  let depth = 0
  let values = 0
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at]
    if (byte === QUOTE) {
      at = stringEnd(bytes, at)
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) return 'depth'
      if (++values > limits.maxValues) return 'values'
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--
    } else if (byte === COMMA) {
      if (++values > limits.maxValues) return 'values'
    }
  }
  return undefined
}
