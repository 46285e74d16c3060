export interface ServerSentEvent {
  event: string
  id: string | undefined
  data: any
}

/**
 * Reads `text/event-stream` events from a response one at a time, as an EventSource would
 * (`event`, `id`, and `data` lines, parsed here as JSON). `close()` hangs up.
 */
export function eventReader(res: Response) {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    async next(): Promise<ServerSentEvent> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = {
            event: 'message',
            id: undefined as string | undefined,
            data: [] as string[],
          }
          for (const line of block.split('\n')) {
            const [, name, value = ''] = /^([^:]*):? ?(.*)$/.exec(line) ?? []
            if (name === 'event') fields.event = value
            else if (name === 'id') fields.id = value
            else if (name === 'data') fields.data.push(value)
          }
          return { event: fields.event, id: fields.id, data: JSON.parse(fields.data.join('\n')) }
        }
        const { done, value } = await reader.read()
        if (done) throw new Error('the event stream ended')
        buffer += decoder.decode(value, { stream: true })
      }
    },
    close: () => reader.cancel(),
  }
}
