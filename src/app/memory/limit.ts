import { readFileSync } from 'node:fs'
import { totalmem } from 'node:os'

export type LimitSource = 'env' | 'cgroup' | 'system'

export interface MemoryLimit {
  bytes: number
  source: LimitSource
}

interface LimitInputs {
  limitMb?: number
  /** Reads a file as text, or undefined when it does not exist; injectable for tests. */
  readText?: (path: string) => string | undefined
  totalBytes?: number
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * cgroup v1 reports "no limit" as the largest page-aligned counter (9223372036854771712), not as
 * a word; anything beyond 2^60 bytes is treated the same way.
 */
const UNLIMITED = 2 ** 60

function parseLimit(text: string | undefined): number | undefined {
  const value = text?.trim()
  if (!value || value === 'max' || !/^\d+$/.test(value)) return undefined
  const bytes = Number(value)
  return bytes > 0 && bytes < UNLIMITED ? bytes : undefined
}

/** The memory.max (v2) and memory.limit_in_bytes (v1) files that may apply to this process. */
function cgroupFiles(read: (path: string) => string | undefined): string[] {
  const files: string[] = []
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [, controllers, path] = line.split(':')
    if (path === undefined || path === '/') continue
    if (controllers === '') files.push(`/sys/fs/cgroup${path}/memory.max`)
    if (controllers?.split(',').includes('memory')) {
      files.push(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`)
    }
  }
  // Inside a container the cgroup namespace makes the process's own group the root.
  files.push('/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes')
  return files
}

/**
 * The budget memory usage is measured against: MEMORY_LIMIT_MB when set, else the tightest cgroup
 * limit (a container's), else the machine's memory. A cgroup limit above the machine's memory
 * means none was set.
 */
export function detectMemoryLimit(inputs: LimitInputs = {}): MemoryLimit {
  if (inputs.limitMb !== undefined) return { bytes: inputs.limitMb * 1024 * 1024, source: 'env' }
  const read = inputs.readText ?? readText
  const total = inputs.totalBytes ?? totalmem()
  let tightest: number | undefined
  for (const file of cgroupFiles(read)) {
    const bytes = parseLimit(read(file))
    if (bytes !== undefined && (tightest === undefined || bytes < tightest)) tightest = bytes
  }
  if (tightest !== undefined && tightest < total) return { bytes: tightest, source: 'cgroup' }
  return { bytes: total, source: 'system' }
}
