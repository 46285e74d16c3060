import type { MemoryLimit } from './memory/limit'

/** The runtime's own variables (JavaScriptCore's, not the service's), read only when it starts. */
export const JSC_RAM_SIZE = 'BUN_JSC_forceRAMSize'
export const JSC_FTL = 'BUN_JSC_useFTLJIT'
export const JSC_JIT = 'BUN_JSC_useJIT'

/** The most memory the runtime paces its heap for under a limit, however large the limit. */
export const HEAP_RAM_CAP = 96 * 2 ** 20
/** Below this limit the runtime interprets instead of compiling (see runtimeEnvironmentFor). */
export const JIT_MIN_LIMIT = 128 * 2 ** 20

/**
 * The environment to run again with, the runtime set for a memory limit; undefined when there is
 * no limit below the machine's (nothing to set) or the heap's size was set by hand.
 *
 * JavaScriptCore paces its collections for the RAM it reads (the machine's, never a container's
 * limit) and lets garbage pile up to match; its top JIT tier (FTL) holds compiled code and
 * compiler memory of its own. Under a limit, peak RSS under the memory benchmark's mixed load
 * was 191-198 MB paced for a 24 GB machine, 142-166 MB for 1 GiB, 512 or 256 MB, 124-132 MB for
 * 128 MB and no lower below, at the same throughput; the live heap stays near 25 MB, and pacing
 * never caps the heap, a bigger one is only collected more often. So under a limit the heap is
 * paced for it, at most 96 MB, and FTL is off. The engine lets a heap double while it is under a
 * quarter of the RAM it paces for, and grow by half up to a half: the warm service's live heap,
 * about 25 MB, is under a quarter of 128 MB but over a quarter of 96 MB. At 512 MB under the
 * mixed load (2026-12-03, `bun run bench --only W7 --limits 512`, `BUN_JSC_forceRAMSize` set by
 * hand) it peaked at 109-115 MB paced for 128 MB, 111 MB for 112 MB, 91-92 MB for 96 MB and
 * 90-91 MB for 80, 64 or 48 MB, at 0.68-0.73x the ceiling's rate for 128 MB and 0.59-0.68x for
 * 96 MB, within the spread of runs on a shared machine. Without a limit, pacing for 128 MB cost
 * CPU on every request (GC pauses were most of the app's extra time per request over the bare
 * ceiling in a profile), so the runtime keeps its own pacing for the machine and its full JIT.
 *
 * The JIT is most of what the warmed service holds beyond its idle memory: compiled it peaked at
 * 110-128 MB under that load, interpreted (`BUN_JSC_useJIT=0`) at 74-76 MB, at about half the
 * throughput. In a 128 MB budget compiled code sits above the guard's 85 % once warm, where the
 * guard sheds writes (half the answers in one run). Re-measured at 160, 192 and 256 MB
 * (`bun run bench --limits 160,192,256 --jit on,off --only W7`, 2026-12-03), compiled peaked at
 * 111-115 MB and the guard stayed `ok` at each, at 1.5-2.5 times the interpreter's rate. Paced
 * for 96 MB instead of 128 (above), compiled peaked at 91 MB at 128 MB and 93 MB at 160 MB, the
 * guard `ok`, at 1.3-1.5 times the interpreter's rate (`bun run bench --only W7 --limits 128,160
 * --jit on,off`): so the runtime interprets only below 128 MB. A variable set by hand wins over
 * each of these.
 */
export function runtimeEnvironmentFor(
  limit: MemoryLimit,
  inherited: Record<string, string>,
): Record<string, string> | undefined {
  if (limit.source === 'system' || inherited[JSC_RAM_SIZE]) return undefined
  return {
    [JSC_FTL]: '0',
    ...(limit.bytes < JIT_MIN_LIMIT ? { [JSC_JIT]: '0' } : {}),
    ...inherited,
    [JSC_RAM_SIZE]: String(Math.min(limit.bytes, HEAP_RAM_CAP)),
  }
}

/**
 * Replaces this process with itself, its runtime set for `limit`, when there is anything to set:
 * before anything is loaded or listening, so the same pid serves and nothing is paid twice.
 */
export function setRuntimeFor(limit: MemoryLimit, inherited: Record<string, string>) {
  const sized = runtimeEnvironmentFor(limit, inherited)
  if (!sized) return
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]
  process.execve!(process.execPath, argv, sized)
}
