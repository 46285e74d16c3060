/**
 * True for the RangeErrors an engine throws when an allocation cannot be satisfied: JavaScriptCore
 * says "Out of memory", V8 "Array buffer allocation failed" or "Invalid string length". Such an
 * error ends one request, not the process.
 */
export function isOutOfMemory(error: unknown): boolean {
  return (
    error instanceof RangeError &&
    /out of memory|allocation failed|invalid string length/i.test(error.message)
  )
}
