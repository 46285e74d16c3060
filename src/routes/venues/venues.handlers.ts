import type { AppRouteHandler } from '../../app/context'
import { paginate } from '../../http/pagination'
import { notFound } from '../../http/problem'
import { venues } from '../../db/schema'
import * as service from '../../services/venues/venues'
import type * as routes from './venues.routes'
import { fromVenueInput, toVenue } from './venues.schemas'

const byId = {
  sort: venues.id,
  id: venues.id,
  direction: 'asc' as const,
  key: (v: service.VenueRow): [number, number] => [v.id, v.id],
}

function listOf(onlyActive: boolean) {
  return async (c: Parameters<AppRouteHandler<typeof routes.list>>[0]) => {
    const { db } = c.var.deps.database
    const page = await paginate(c, {
      query: c.req.valid('query'),
      keyset: byId,
      rows: (window) => service.listVenues(db, onlyActive, window),
      total: () => service.countVenues(db, onlyActive),
      map: toVenue,
    })
    return c.json(page, 200)
  }
}

export const list: AppRouteHandler<typeof routes.list> = listOf(true)
export const adminList: AppRouteHandler<typeof routes.adminList> = listOf(false)

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const venue = await service.findVenue(c.var.deps.database.db, c.req.valid('param').id, true)
  if (!venue) throw notFound('venue')
  return c.json(toVenue(venue), 200)
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = fromVenueInput(c.req.valid('json'))
  const venue = await service.createVenue(c.var.deps.database.db, {
    ...input,
    name: input.name!,
    capacity: input.capacity!,
    hourlyPriceCents: input.hourlyPriceCents!,
  })
  return c.json(toVenue(venue), 201)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const venue = await service.updateVenue(
    c.var.deps.database.db,
    c.req.valid('param').id,
    fromVenueInput(c.req.valid('json')),
  )
  if (!venue) throw notFound('venue')
  return c.json(toVenue(venue), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const done = await service.deactivateVenue(c.var.deps.database.db, c.req.valid('param').id)
  if (!done) throw notFound('venue')
  return c.body(null, 204)
}
