import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface MemoryCgroup {
  version: 1 | 2
  dir: string
  /** A command prefix that moves itself into the group, then execs the rest of its arguments. */
  launcher: string[]
  /** Times the kernel's OOM killer killed a process of the group. */
  oomKills(): number
  /** The most memory the group has held (v1 and v2 with memory.peak), else undefined. */
  peakBytes(): number | undefined
  /** Ends the processes left in the group and removes it. */
  remove(): void
}

const read = (path: string) => readFileSync(path, 'utf8')
const counter = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)

/** This process's own group in each hierarchy, from /proc/self/cgroup. */
function ownGroups() {
  const groups = { v1: undefined as string | undefined, v2: undefined as string | undefined }
  for (const line of read('/proc/self/cgroup').split('\n')) {
    const [id, controllers, path] = line.split(':')
    if (path === undefined) continue
    if (controllers?.split(',').includes('memory')) groups.v1 = path
    if (id === '0' && controllers === '') groups.v2 = path
  }
  return groups
}

/**
 * Creates a memory cgroup of `limitBytes` below this process's own (v1 `memory.limit_in_bytes`,
 * or v2 `memory.max` where the memory controller is delegated), or returns why it cannot: not
 * Linux, no memory controller, or no permission (it needs root or a delegated subtree).
 */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | string {
  if (process.platform !== 'linux') return 'cgroups exist only on Linux'
  const { v1, v2 } = ownGroups()
  let version: 1 | 2
  let parent: string
  if (v1 !== undefined && existsSync('/sys/fs/cgroup/memory/cgroup.procs')) {
    version = 1
    parent = join('/sys/fs/cgroup/memory', v1)
  } else if (v2 !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    version = 2
    parent = join('/sys/fs/cgroup', v2)
    const delegated = existsSync(join(parent, 'cgroup.subtree_control'))
      ? read(join(parent, 'cgroup.subtree_control'))
      : ''
    if (!delegated.split(/\s+/).includes('memory')) {
      return `the memory controller is not enabled for the subtree of ${parent}`
    }
  } else {
    return 'no cgroup memory controller is mounted'
  }
  const dir = join(parent, name)
  try {
    mkdirSync(dir)
  } catch (error) {
    return `cannot create a cgroup under ${parent}: ${(error as Error).message}`
  }
  try {
    if (version === 1) {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes))
      // Without swap accounting the group could page out instead of hitting its limit.
      const swap = join(dir, 'memory.memsw.limit_in_bytes')
      if (existsSync(swap)) writeFileSync(swap, String(limitBytes))
    } else {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes))
      const swap = join(dir, 'memory.swap.max')
      if (existsSync(swap)) writeFileSync(swap, '0')
    }
  } catch (error) {
    rmdirSync(dir)
    return `cannot set a memory limit on ${dir}: ${(error as Error).message}`
  }
  return {
    version,
    dir,
    launcher: ['sh', '-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$@"`, 'sh'],
    oomKills: () =>
      version === 1
        ? counter(read(join(dir, 'memory.oom_control')), 'oom_kill')
        : counter(read(join(dir, 'memory.events')), 'oom_kill'),
    peakBytes: () => {
      const file = join(dir, version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak')
      return existsSync(file) ? Number(read(file).trim()) : undefined
    },
    remove: () => {
      // A group can go only once empty: whatever was started in it and still runs is ended.
      for (const pid of read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // already gone
        }
      }
      for (let tries = 0; ; tries++) {
        try {
          return rmdirSync(dir)
        } catch (error) {
          if (tries >= 50) throw error
          Bun.sleepSync(20)
        }
      }
    },
  }
}
