/**
 * The bytes of request bodies held in memory at once, across all requests, against a total. A
 * per-request limit alone lets N clients make the process hold N times it: 4 concurrent 14.5 MB
 * bodies were enough to get a 128 MB container killed. A request reserves its bytes before they
 * are read (its declared length, or chunk by chunk for a chunked body) and gives them back when
 * its answer is done; a reservation past the total is refused, and the caller answers 503.
 */
export class BodyBudget {
  held = 0
  /** The most held at once since start-up. */
  peak = 0

  constructor(readonly totalBytes: number) {}

  /** Takes `bytes` from the budget; false, taking nothing, when that would pass the total. */
  reserve(bytes: number): boolean {
    if (this.held + bytes > this.totalBytes) return false
    this.held += bytes
    if (this.held > this.peak) this.peak = this.held
    return true
  }

  release(bytes: number) {
    this.held -= bytes
  }
}

/**
 * The default budget: a share of the memory limit. A body is held about three times while it is
 * parsed (the bytes, their text, the strings parsed out of it), and the warm service itself takes
 * about half of a 128 MB container; an eighth of the limit (16 MB there) keeps a full budget of
 * bodies within the guard's headroom while still admitting one body of the default
 * MAX_BODY_SIZE_MB (15).
 */
export const bodyBudgetBytes = (limitBytes: number, budgetMb: number | undefined) =>
  budgetMb !== undefined ? budgetMb * 1024 * 1024 : Math.floor(limitBytes / 8)
