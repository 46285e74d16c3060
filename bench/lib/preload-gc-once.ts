// Preloaded (`bun --preload`) by bench/startup.ts's "one full GC after start-up" run: a full,
// synchronous collection 2 s after the process starts, once it is serving (start-up takes well
// under a second here), to see whether the idle figure holds garbage an early collection frees.
setTimeout(() => Bun.gc(true), 2000).unref()
