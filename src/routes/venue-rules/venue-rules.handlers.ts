import type { AppRouteHandler } from '../../app/context'
import { badRequest, notFound } from '../../http/problem'
import { iso } from '../../lib/serialize'
import { MAX_AVAILABILITY_DAYS, freeSlots } from '../../services/venues/availability'
import { putRules as storeRules, venueRules } from '../../services/venues/booking-rules'
import { daysBetween } from '../../services/venues/opening-hours'
import type * as routes from './venue-rules.routes'
import { fromRulesInput, toRules } from './venue-rules.schemas'

export const availability: AppRouteHandler<typeof routes.availability> = async (c) => {
  const { db } = c.var.deps.database
  const { id } = c.req.valid('param')
  const query = c.req.valid('query')
  const to = query.to ?? query.from
  if (daysBetween(query.from, to) >= MAX_AVAILABILITY_DAYS) {
    throw badRequest(`A range covers at most ${MAX_AVAILABILITY_DAYS} days.`, [
      { path: 'to', message: `must be within ${MAX_AVAILABILITY_DAYS - 1} days of from` },
    ])
  }
  const venue = await venueRules(db, id)
  if (!venue?.isActive) throw notFound('venue')
  const slots = await freeSlots(db, venue, query.from, to)
  return c.json(
    {
      venue_id: venue.venueId,
      timezone: venue.timezone,
      from: query.from,
      to,
      slot_minutes: venue.rules.slotMinutes,
      min_minutes: venue.rules.minMinutes,
      max_minutes: venue.rules.maxMinutes,
      buffer_minutes: venue.rules.bufferMinutes,
      slots: slots.map((s) => ({ start: iso(s.start), end: iso(s.end), max_end: iso(s.maxEnd) })),
    },
    200,
  )
}

export const getRules: AppRouteHandler<typeof routes.getRules> = async (c) => {
  const venue = await venueRules(c.var.deps.database.db, c.req.valid('param').id)
  if (!venue) throw notFound('venue')
  return c.json(toRules(venue), 200)
}

export const putRules: AppRouteHandler<typeof routes.putRules> = async (c) => {
  const { db } = c.var.deps.database
  const { id } = c.req.valid('param')
  if (!(await venueRules(db, id))) throw notFound('venue')
  await storeRules(db, id, fromRulesInput(c.req.valid('json')))
  return c.json(toRules((await venueRules(db, id))!), 200)
}
