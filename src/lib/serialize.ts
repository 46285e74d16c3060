/** Instants leave the API as RFC 3339 in UTC. */
export const iso = (d: Date) => d.toISOString()
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)
