import { z } from '@hono/zod-openapi'
import { DateTimeString } from './openapi-schemas'

/** `hourlyPriceCents` -> `hourly_price_cents`: JSON names are the columns' own SQL names. */
export type Snake<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}`
  : S

/** The runtime twin of `Snake`, letter for letter. */
export const snake = <K extends string>(key: K) =>
  key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as Snake<K>

type JsonField<S> = S extends z.ZodDate
  ? typeof DateTimeString
  : S extends z.ZodNullable<z.ZodDate>
    ? z.ZodNullable<typeof DateTimeString>
    : S

/** A row field's schema as the answer carries it: an instant (maybe null) as RFC 3339 text. */
function jsonField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDate) return DateTimeString
  if (field instanceof z.ZodNullable && field.unwrap() instanceof z.ZodDate) {
    return DateTimeString.nullable()
  }
  return field
}

type JsonShape<Shape extends z.ZodRawShape> = {
  [K in keyof Shape & string as Snake<K>]: JsonField<Shape[K]>
}

type SnakeShape<Shape extends z.ZodRawShape> = { [K in keyof Shape & string as Snake<K>]: Shape[K] }

type Formats<Shape extends z.ZodRawShape> = {
  [K in keyof Shape]?: (value: z.output<Shape[K]>) => z.output<Shape[K]>
}

type Computed<Row> = Record<string, { schema: z.ZodType; value: (row: Row) => unknown }>

type ComputedShape<C extends Computed<never>> = { [K in keyof C]: C[K]['schema'] }

/**
 * A resource's answer: one JSON field per row field, named in snake_case, instants as RFC 3339,
 * plus fields computed from the row (a URL). `schema` documents it, `toJson` writes it. Every
 * resource's JSON comes from here, its rows described by its table (drizzle-zod); the hot booking
 * reads select the same JSON straight from SQL (`db/wire-fields.ts`), checked against these
 * schemas in tests/openapi/wire-fields.test.ts.
 */
export interface JsonView<Row, Schema extends z.ZodObject> {
  schema: Schema
  toJson: (row: Row) => z.output<Schema>
}

/**
 * The answer for rows shaped like `row` (a table's select schema, maybe extended by a joined or
 * computed field). `formats` rewrite a value of the same type on the way out (`18:30:00` ->
 * `18:30`); `computed` adds fields the row does not hold; `omit` leaves row fields out (a public
 * view of a row the admin sees whole).
 *
 * @example
 * const venue = jsonView(createSelectSchema(venues))
 * venue.toJson(row) // { id, name, ..., hourly_price_cents, ..., created_at: '2030-01-01T...Z' }
 */
export function jsonView<
  Shape extends z.ZodRawShape,
  C extends Computed<z.output<z.ZodObject<Shape>>> = {},
  O extends keyof Shape & string = never,
>(
  row: z.ZodObject<Shape>,
  options: { formats?: Formats<Shape>; computed?: C; omit?: readonly O[] } = {},
): JsonView<
  z.output<z.ZodObject<Shape>>,
  z.ZodObject<JsonShape<Omit<Shape, O>> & ComputedShape<C>>
> {
  type Row = z.output<z.ZodObject<Shape>>
  const omitted = new Set<string>(options.omit ?? [])
  type Format = ((value: unknown) => unknown) | undefined
  const formats = (options.formats ?? {}) as Record<string, Format>
  const fields = Object.keys(row.shape)
    .filter((key) => !omitted.has(key))
    .map((key) => ({ key, json: snake(key), format: formats[key] }))
  const computed = Object.entries(options.computed ?? {}).map(([json, field]) => ({
    json,
    value: field.value as (row: Row) => unknown,
  }))
  const shape: Record<string, z.ZodType> = {}
  for (const { key, json } of fields) shape[json] = jsonField(row.shape[key] as z.ZodType)
  for (const [json, field] of Object.entries(options.computed ?? {})) shape[json] = field.schema

  // Built field by field from a list made once: rows are mapped by the page, on the hot path.
  function toJson(row: Row) {
    const out: Record<string, unknown> = {}
    const source = row as Record<string, unknown>
    for (const { key, json, format } of fields) {
      const value = source[key]
      out[json] = value instanceof Date ? value.toISOString() : format ? format(value) : value
    }
    for (const { json, value } of computed) out[json] = value(row)
    return out
  }
  return { schema: z.object(shape), toJson } as never
}

/** Columns the database keeps itself: a body never sets them. */
export const serverManaged = { createdAt: true, updatedAt: true } as const

type Unwrapped<S> = S extends z.ZodOptional<infer T> ? T : S

/**
 * `schema` with `keys` required: for columns the table defaults but the API asks for on create
 * (an item's stock). Unwrapping keeps the field's own message ("expected number").
 */
export function requiring<Shape extends z.ZodRawShape, K extends keyof Shape & string>(
  schema: z.ZodObject<Shape>,
  keys: readonly K[],
) {
  const required = Object.fromEntries(
    keys.map((key) => {
      const field = schema.shape[key]
      return [key, field instanceof z.ZodOptional ? field.unwrap() : field]
    }),
  )
  return schema.extend(required as { [P in K]: Unwrapped<Shape[P]> })
}

/**
 * What an admin may write: the fields of `fields` (a table's insert schema, refined) in
 * snake_case, unknown fields refused. `create` takes the required fields, `update` any non-empty
 * subset; `fromCreate` and `fromUpdate` rename a validated body back to the table's fields.
 */
export function jsonInput<Shape extends z.ZodRawShape>(fields: z.ZodObject<Shape>) {
  type Fields = z.output<z.ZodObject<Shape>>
  const names = Object.keys(fields.shape).map((key) => [key, snake(key)] as const)
  const shape = Object.fromEntries(names.map(([key, json]) => [json, fields.shape[key]]))
  const create = z.object(shape as SnakeShape<Shape>).strict()
  const update = create
    .partial()
    .strict()
    .refine((body) => Object.keys(body).length > 0, 'at least one field is required')

  function fromJson(body: Record<string, unknown>) {
    const out: Record<string, unknown> = {}
    for (const [key, json] of names) if (body[json] !== undefined) out[key] = body[json]
    return out
  }
  return {
    create,
    update,
    fromCreate: fromJson as unknown as (body: z.output<typeof create>) => Fields,
    fromUpdate: fromJson as unknown as (body: z.output<typeof update>) => Partial<Fields>,
  }
}
