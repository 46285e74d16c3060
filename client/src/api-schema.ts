/**
 * The routes' types, read from the server's app. Inside this repository the client is typed
 * straight from `AppType`; the package build (scripts/build.ts) replaces this file with a
 * self-contained declaration of the same type, so a frontend never loads the server's types.
 */
import type { ExtractSchema } from 'hono/types'
import type { AppType } from '../../src/app/build-app'

/**
 * Headers that are all optional (`Idempotency-Key`) need no `header: {}` argument: hono types the
 * object itself as required.
 */
type OptionalHeaders<I> = I extends { header: infer H }
  ? {} extends H
    ? Omit<I, 'header'> & { header?: H }
    : I
  : I

type Endpoints<S> = {
  [Path in keyof S]: {
    [Method in keyof S[Path]]: S[Path][Method] extends infer E
      ? E extends { input: infer I }
        ? Omit<E, 'input'> & { input: OptionalHeaders<I> }
        : E
      : never
  }
}

export type ApiSchema = Endpoints<ExtractSchema<AppType>>
