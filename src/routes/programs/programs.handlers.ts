import type { AppRouteHandler } from '../../app/context'
import { paginate } from '../../http/pagination'
import { notFound } from '../../http/problem'
import { regularPrograms } from '../../db/schema'
import { enrol } from '../../services/programs/enrolments'
import * as service from '../../services/programs/programs'
import { toBooking } from '../bookings/bookings.schemas'
import type * as routes from './programs.routes'
import { fromProgramInput, toProgram } from './programs.schemas'

const byId = {
  sort: regularPrograms.id,
  id: regularPrograms.id,
  direction: 'asc' as const,
  key: (p: service.ProgramRow): [number, number] => [p.id, p.id],
}

function listOf(onlyActive: boolean) {
  return async (c: Parameters<AppRouteHandler<typeof routes.list>>[0]) => {
    const { db } = c.var.deps.database
    const page = await paginate(c, {
      query: c.req.valid('query'),
      keyset: byId,
      rows: (window) => service.listPrograms(db, onlyActive, window),
      total: () => service.countPrograms(db, onlyActive),
      map: toProgram,
    })
    return c.json(page, 200)
  }
}

export const list: AppRouteHandler<typeof routes.list> = listOf(true)
export const adminList: AppRouteHandler<typeof routes.adminList> = listOf(false)

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const program = await service.findProgram(c.var.deps.database.db, c.req.valid('param').id, true)
  if (!program) throw notFound('program')
  return c.json(toProgram(program), 200)
}

export const enroll: AppRouteHandler<typeof routes.enroll> = async (c) => {
  const booking = await enrol(c.var.deps.database.db, c.req.valid('param').id, c.var.user.id)
  return c.json(toBooking(booking), 201)
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = fromProgramInput(c.req.valid('json'))
  const program = await service.createProgram(c.var.deps.database.db, {
    ...input,
    venueId: input.venueId!,
    name: input.name!,
    weekdays: input.weekdays!,
    startTime: input.startTime!,
    durationMinutes: input.durationMinutes!,
    startsOn: input.startsOn!,
    endsOn: input.endsOn!,
    capacity: input.capacity!,
    priceCents: input.priceCents!,
  })
  return c.json(toProgram(program), 201)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const program = await service.updateProgram(
    c.var.deps.database.db,
    c.req.valid('param').id,
    fromProgramInput(c.req.valid('json')),
  )
  return c.json(toProgram(program), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const done = await service.deactivateProgram(c.var.deps.database.db, c.req.valid('param').id)
  if (!done) throw notFound('program')
  return c.body(null, 204)
}
