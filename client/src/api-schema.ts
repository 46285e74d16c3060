/**
 * The routes' types, read from the server's app. Inside this repository the client is typed
 * straight from `AppType`; the package build (scripts/build.ts) replaces this file with a
 * self-contained declaration of the same type, so a frontend never loads the server's types.
 */
import type { ExtractSchema } from 'hono/types'
import type { AppType } from '../../src/app'

export type ApiSchema = ExtractSchema<AppType>
