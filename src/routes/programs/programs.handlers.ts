import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { enrol } from '../../services/programs/enrolments'
import { programService } from '../../services/programs/programs'
import { toBooking } from '../bookings/bookings.schemas'
import type * as routes from './programs.routes'
import { Program, ProgramInput } from './programs.schemas'

const handlers = crudHandlers({
  service: programService,
  toJson: Program.toJson,
  fromCreate: ProgramInput.fromCreate,
  fromUpdate: ProgramInput.fromUpdate,
})

export const list: AppRouteHandler<typeof routes.list> = handlers.list
export const get: AppRouteHandler<typeof routes.get> = handlers.get
export const adminList: AppRouteHandler<typeof routes.adminList> = handlers.adminList
export const create: AppRouteHandler<typeof routes.create> = handlers.create
export const update: AppRouteHandler<typeof routes.update> = handlers.update
export const remove: AppRouteHandler<typeof routes.remove> = handlers.remove

export const enroll: AppRouteHandler<typeof routes.enroll> = async (c) => {
  const booking = await enrol(c.var.deps.database.db, c.req.valid('param').id, c.var.user.id)
  return c.json(toBooking(booking), 201)
}
