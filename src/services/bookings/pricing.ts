const MINUTE_MS = 60_000

/** PostgreSQL `integer`, the type of every cents column. */
export const MAX_CENTS = 2_147_483_647

/** The venue's hourly price pro rata for the booked minutes, rounded half up to whole cents. */
export function venueCents(hourlyPriceCents: number, start: Date, end: Date): number {
  const minutes = Math.round((end.getTime() - start.getTime()) / MINUTE_MS)
  return Math.floor((hourlyPriceCents * minutes + 30) / 60)
}

/** Rented items cost a flat price per booking, whatever its length. */
export const itemsCents = (lines: readonly { quantity: number; unitPriceCents: number }[]) =>
  lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0)
