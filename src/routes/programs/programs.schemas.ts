import { z } from '@hono/zod-openapi'
import { regularPrograms } from '../../db/schema'
import { jsonInput, jsonView, serverManaged } from '../../http/table-json'
import { createInsertSchema, createSelectSchema } from '../../http/table-schemas'
import { scheduleErrors } from '../../services/programs/schedule'

const isoWeekdays = { description: 'ISO weekdays, 1 = Monday' }
const localTime = { example: '18:30', description: 'Local time at the venue' }

export const Program = jsonView(
  createSelectSchema(regularPrograms, {
    weekdays: (s) => s.openapi(isoWeekdays),
    startTime: (s) => s.openapi(localTime),
    startsOn: (s) => s.openapi({ format: 'date' }),
    endsOn: (s) => s.openapi({ format: 'date' }),
  }).extend({
    enrolled: z.number().int().openapi({ description: 'Active enrolments (seats taken)' }),
  }),
  // PostgreSQL prints a `time` as HH:MM:SS; programs start on the minute.
  { formats: { startTime: (time) => time.slice(0, 5) } },
)
export const ProgramSchema = Program.schema.openapi('Program')

const day = z.iso
  .date({ error: 'must be a real date, YYYY-MM-DD' })
  .openapi({ example: '2030-01-07' })

const weekdays = z
  .array(z.number().int().min(1).max(7))
  .min(1)
  .max(7)
  .refine((days) => new Set(days).size === days.length, 'weekdays must not repeat')
  .transform((days) => [...days].sort((a, b) => a - b))
  .openapi({ ...isoWeekdays, example: [1, 3] })

/** The fields a schedule is made of; checked as a whole only once each is valid on its own. */
const ScheduleFields = z.object({ weekdays, starts_on: day, ends_on: day })

export const ProgramInput = jsonInput(
  createInsertSchema(regularPrograms, {
    venueId: (s) => s.min(1),
    name: (s) => s.trim().min(1).max(200),
    description: (s) => s.max(5000),
    weekdays,
    startTime: (s) =>
      s.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 24-hour').openapi(localTime),
    durationMinutes: (s) => s.min(1).max(24 * 60),
    startsOn: day,
    endsOn: day,
    capacity: (s) => s.min(1).max(100_000),
    priceCents: (s) => s.min(0).max(100_000_000),
  }).omit(serverManaged),
)

export const ProgramCreate = ProgramInput.create
  .superRefine((program, ctx) => {
    const schedule = ScheduleFields.safeParse(program)
    if (!schedule.success) return
    for (const error of scheduleErrors(schedule.data)) {
      ctx.addIssue({ code: 'custom', path: [error.path], message: error.message })
    }
  })
  .openapi('ProgramCreate')

/** The date range is checked against the stored program once merged, in the service. */
export const ProgramUpdate = ProgramInput.update.openapi('ProgramUpdate')
