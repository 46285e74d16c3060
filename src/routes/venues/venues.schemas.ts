import { z } from '@hono/zod-openapi'
import { iso } from '../../lib/serialize'
import type { VenueRow } from '../../services/venues/venues'

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

export const VenueSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    capacity: z.number().int(),
    hourly_price_cents: z.number().int(),
    timezone: z.string(),
    is_active: z.boolean(),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Venue')

export const toVenue = (v: VenueRow) => ({
  id: v.id,
  name: v.name,
  description: v.description,
  capacity: v.capacity,
  hourly_price_cents: v.hourlyPriceCents,
  timezone: v.timezone,
  is_active: v.isActive,
  created_at: iso(v.createdAt),
  updated_at: iso(v.updatedAt),
})

const cents = z.number().int().min(0).max(100_000_000)

export const VenueCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).optional(),
    capacity: z.number().int().min(1).max(1_000_000),
    hourly_price_cents: cents,
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone').optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .openapi('VenueCreate')

export const VenueUpdate = VenueCreate.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required')
  .openapi('VenueUpdate')

export const fromVenueInput = (v: Partial<z.infer<typeof VenueCreate>>) => ({
  name: v.name,
  description: v.description,
  capacity: v.capacity,
  hourlyPriceCents: v.hourly_price_cents,
  timezone: v.timezone,
  isActive: v.is_active,
})
