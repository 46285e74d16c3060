/** Causes of failures this suite has met before, recognised by a signature in the server's log. */
const CAUSES: { signature: string; why: string }[] = [
  {
    signature: "evaluating 'socket.write'",
    why:
      'The process died of an uncaught TypeError in postgres.js 3.4.9 (connection.js nextWrite): a ' +
      'write scheduled with setImmediate runs after the connection to the stopped database was ' +
      'closed and its socket set to null. Known upstream: porsager/postgres#1066, #1154, #1208 ' +
      '(guard proposed in #1168 / #1209, not released). It is thrown outside any request, so no ' +
      'handler in the app can catch it.',
  },
]

/** Why the server died, when its log shows a known cause. */
export function knownCause(log: string[]): string | undefined {
  const text = log.join('\n')
  return CAUSES.find((c) => text.includes(c.signature))?.why
}
