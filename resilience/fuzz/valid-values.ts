import fc from 'fast-check'
import type { Schema } from './operations'
import type { FuzzWorld } from './world'

/**
 * Values the document accepts, pointing at the fuzzer's own rows: a defect is then the only
 * thing wrong with a request, so validation is all that stands between it and the data.
 */
export interface ValueContext {
  world: FuzzWorld
  /** The operation's path: an `item_id` means merchandise for rack orders, a rental otherwise. */
  path: string
}

export const typesOf = (schema: Schema): string[] => {
  const own = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(typesOf)
  return [...own, ...nested, ...(schema.nullable ? ['null'] : [])]
}

function idFor(name: string, ctx: ValueContext): number | undefined {
  const { ids, user } = ctx.world
  const byName: Record<string, number> = {
    venue_id: ids.venue,
    item_id: ctx.path.startsWith('/api/rack-orders') ? ids.merch : ids.rental,
    upload_id: ids.imageUpload,
    booking_id: ids.booking,
    program_id: ids.program,
    user_id: user.id,
  }
  return byName[name]
}

let emails = 0

function validString(schema: Schema, name: string, ctx: ValueContext): fc.Arbitrary<string> {
  const { tag } = ctx.world
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]))
  if (schema.format === 'email') return fc.constant(`fuzz-${tag}-${++emails}@example.com`)
  if (schema.format === 'date') {
    return fc.constant(name.startsWith('end') ? '2031-03-31' : '2031-01-06')
  }
  if (schema.format === 'date-time') {
    return fc.integer({ min: 0, max: 2000 }).map((day) => {
      const start = Date.UTC(2033, 0, 1) + day * 86_400_000 + 10 * 3_600_000
      return new Date(
        name.startsWith('end') || name === 'to' ? start + 3_600_000 : start,
      ).toISOString()
    })
  }
  if (schema.pattern) return fc.constantFrom('07:30', '18:00')
  if (name === 'timezone') return fc.constantFrom('UTC', 'Europe/Berlin')
  const min = schema.minLength ?? 0
  const max = Math.min(schema.maxLength ?? 60, 60)
  return fc
    .string({ minLength: 0, maxLength: Math.max(0, max - tag.length - 1) })
    .map((s) => `${tag} ${s}`.slice(0, max).padEnd(min, 'x'))
}

/** A value `schema` accepts, for the property or parameter called `name`. */
export function validValue(schema: Schema, name: string, ctx: ValueContext): fc.Arbitrary<unknown> {
  const types = typesOf(schema)
  const id = idFor(name, ctx)
  if (types.includes('integer') && id !== undefined) return fc.constant(id)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  if (types.includes('object') || schema.properties) return validObject(schema, ctx)
  if (types.includes('array')) {
    const item = schema.items ?? {}
    // One line at most: a second would repeat the same fixture id, which some routes refuse.
    const many = typesOf(item).includes('object') ? 1 : Math.min(schema.maxItems ?? 3, 3)
    const minLength = Math.min(schema.minItems ?? 0, many)
    return fc.uniqueArray(validValue(item, name, ctx), {
      minLength: Math.max(minLength, 1),
      maxLength: Math.max(many, 1),
      selector: (v) => JSON.stringify(v),
    })
  }
  if (types.includes('integer') || types.includes('number')) {
    const min = schema.minimum ?? 0
    const max = Math.min(schema.maximum ?? min + 1000, min + 1000)
    // Quantities stay small so the fixtures' stock is never what refuses a request.
    return fc.integer({ min, max: name === 'quantity' ? Math.min(max, min + 1) : max })
  }
  if (types.includes('boolean')) return fc.boolean()
  if (types.includes('string')) return validString(schema, name, ctx)
  return fc.constant(null)
}

/** Every required property and some optional ones, each valid. */
export function validObject(
  schema: Schema,
  ctx: ValueContext,
): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {}
  const required = new Set(schema.required ?? [])
  const record: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, prop] of Object.entries(props)) record[name] = validValue(prop, name, ctx)
  const optional = Object.keys(props).filter((k) => !required.has(k))
  return fc
    .record(record, { requiredKeys: [...required] })
    .map((value) => {
      // A slot ends an hour after it starts.
      if (typeof value.start_datetime === 'string' && 'end_datetime' in value) {
        const end = new Date(Date.parse(value.start_datetime) + 3_600_000)
        return { ...value, end_datetime: end.toISOString() }
      }
      return value
    })
    .chain((value) =>
      // PATCH bodies have no required fields but must change something: keep at least one.
      Object.keys(value).length === 0 && optional.length > 0
        ? validValue(props[optional[0]!]!, optional[0]!, ctx).map((v) => ({ [optional[0]!]: v }))
        : fc.constant(value),
    )
}
