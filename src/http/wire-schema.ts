import { z } from '@hono/zod-openapi'
import { getTableColumns, type Column, type Table } from 'drizzle-orm'
import type { WireRow } from '../db/wire-fields'
import { createSelectSchema } from './crud/table-schemas'

type ColumnKey<T extends Table> = keyof T['_']['columns']
type WireShape<T extends Table, O extends ColumnKey<T>> = {
  [N in keyof WireRow<T, O>]-?: z.ZodType<WireRow<T, O>[N]>
}

const instant = z.string().openapi({ format: 'date-time', example: '2030-01-01T09:00:00.000Z' })

/**
 * The response schema of a table's wire form (`wireFields`): drizzle-zod's schema of each column
 * (enums, integer ranges, nullability from the table), under the column's SQL name, instants as
 * RFC 3339 text. The OpenAPI document then says what the table says.
 */
export function wireSchema<T extends Table, O extends ColumnKey<T> = never>(
  table: T,
  omit: readonly O[] = [],
): z.ZodObject<WireShape<T, O>> {
  const columns = createSelectSchema(table).shape as Record<string, z.ZodType>
  const shape: Record<string, z.ZodType> = {}
  for (const [key, column] of Object.entries(getTableColumns(table) as Record<string, Column>)) {
    if ((omit as readonly PropertyKey[]).includes(key)) continue
    shape[column.name] =
      column.dataType === 'date' ? (column.notNull ? instant : instant.nullable()) : columns[key]!
  }
  return z.object(shape) as unknown as z.ZodObject<WireShape<T, O>>
}
