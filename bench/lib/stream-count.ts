const NEWLINE = 10

/** Reads a byte stream to its end, counting bytes and lines, holding no more than one chunk. */
export async function countLines(stream: ReadableStream<Uint8Array>) {
  let bytes = 0
  let lines = 0
  for await (const chunk of stream) {
    bytes += chunk.byteLength
    let at = chunk.indexOf(NEWLINE)
    while (at !== -1) {
      lines++
      at = chunk.indexOf(NEWLINE, at + 1)
    }
  }
  return { bytes, lines }
}
