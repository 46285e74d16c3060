import { z } from '@hono/zod-openapi'
import { iso } from '../../lib/serialize'
import type { ProgramRow } from '../../services/programs/programs'
import { scheduleErrors } from '../../services/programs/schedule'

export const ProgramSchema = z
  .object({
    id: z.number().int(),
    venue_id: z.number().int(),
    name: z.string(),
    description: z.string(),
    weekdays: z.array(z.number().int()).openapi({ description: 'ISO weekdays, 1 = Monday' }),
    start_time: z.string().openapi({ example: '18:30', description: 'Local time at the venue' }),
    duration_minutes: z.number().int(),
    starts_on: z.string().openapi({ format: 'date' }),
    ends_on: z.string().openapi({ format: 'date' }),
    capacity: z.number().int(),
    price_cents: z.number().int(),
    is_active: z.boolean(),
    enrolled: z.number().int().openapi({ description: 'Active enrolments (seats taken)' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Program')

export const toProgram = (p: ProgramRow) => ({
  id: p.id,
  venue_id: p.venueId,
  name: p.name,
  description: p.description,
  weekdays: p.weekdays,
  start_time: p.startTime.slice(0, 5),
  duration_minutes: p.durationMinutes,
  starts_on: p.startsOn,
  ends_on: p.endsOn,
  capacity: p.capacity,
  price_cents: p.priceCents,
  is_active: p.isActive,
  enrolled: p.enrolled,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
})

const day = z.iso
  .date({ error: 'must be a real date, YYYY-MM-DD' })
  .openapi({ example: '2030-01-07' })

const weekdays = z
  .array(z.number().int().min(1).max(7))
  .min(1)
  .max(7)
  .refine((days) => new Set(days).size === days.length, 'weekdays must not repeat')
  .transform((days) => [...days].sort((a, b) => a - b))
  .openapi({ description: 'ISO weekdays, 1 = Monday', example: [1, 3] })

/** The fields a schedule is made of; checked as a whole only once each is valid on its own. */
const ScheduleFields = z.object({ weekdays, starts_on: day, ends_on: day })

const ProgramFields = z
  .object({
    venue_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).optional(),
    weekdays,
    start_time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 24-hour')
      .openapi({ example: '18:30', description: 'Local time at the venue' }),
    duration_minutes: z.number().int().min(1).max(24 * 60),
    starts_on: day,
    ends_on: day,
    capacity: z.number().int().min(1).max(100_000),
    price_cents: z.number().int().min(0).max(100_000_000),
    is_active: z.boolean().optional(),
  })
  .strict()

export const ProgramCreate = ProgramFields.superRefine((program, ctx) => {
  const schedule = ScheduleFields.safeParse(program)
  if (!schedule.success) return
  for (const error of scheduleErrors(schedule.data)) {
    ctx.addIssue({ code: 'custom', path: [error.path], message: error.message })
  }
}).openapi('ProgramCreate')

/** The date range is checked against the stored program once merged, in the service. */
export const ProgramUpdate = ProgramFields.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required')
  .openapi('ProgramUpdate')

export const fromProgramInput = (v: Partial<z.infer<typeof ProgramFields>>) => ({
  venueId: v.venue_id,
  name: v.name,
  description: v.description,
  weekdays: v.weekdays,
  startTime: v.start_time,
  durationMinutes: v.duration_minutes,
  startsOn: v.starts_on,
  endsOn: v.ends_on,
  capacity: v.capacity,
  priceCents: v.price_cents,
  isActive: v.is_active,
})
