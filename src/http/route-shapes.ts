import type { z } from '@hono/zod-openapi'
import { json, problem } from './openapi-schemas'
import { pageOf } from './pagination'

/** The answers of a keyset-paged list: a page of rows, or 400 for bad paging or filters. */
export const pageResponses = <Row extends z.ZodType>(row: Row, description: string) => ({
  200: json(pageOf(row), description),
  400: problem('Invalid paging or filter'),
})

/** The answers of a route on one row by its id: the row, 400 for a bad id, 404 for no row. */
export const rowResponses = <Row extends z.ZodType>(
  row: Row,
  description: string,
  missing: string,
) => ({
  200: json(row, description),
  400: problem('Invalid id'),
  404: problem(missing),
})
