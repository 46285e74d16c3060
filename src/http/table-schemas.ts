import { z } from '@hono/zod-openapi'
import { createSchemaFactory } from 'drizzle-zod'

/**
 * drizzle-zod's schema builders on the zod that carries `.openapi()`: a table's columns give each
 * field its type, enum and nullability once; refinements add what the API asks beyond the column.
 */
export const { createSelectSchema, createInsertSchema } = createSchemaFactory({ zodInstance: z })
