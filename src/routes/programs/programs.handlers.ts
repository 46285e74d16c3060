import type { AppRouteHandler } from '../../app/context'
import { crudHandlers } from '../../http/crud/crud-handlers'
import { enrol } from '../../services/programs/enrolments'
import { programService } from '../../services/programs/programs'
import { toBooking } from '../bookings/bookings.schemas'
import type * as routes from './programs.routes'
import { Program, ProgramInput } from './programs.schemas'

export const { list, get, adminList, create, update, remove } = crudHandlers({
  service: programService,
  toJson: Program.toJson,
  fromCreate: ProgramInput.fromCreate,
  fromUpdate: ProgramInput.fromUpdate,
})

export const enroll: AppRouteHandler<typeof routes.enroll> = async (c) => {
  const booking = await enrol(c.var.deps.database.db, c.req.valid('param').id, c.var.user.id)
  return c.json(toBooking(booking), 201)
}
