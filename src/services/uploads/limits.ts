import type { Env } from '../../env'

const MB = 1024 * 1024
/** Headroom per part for its boundary and headers (a long UTF-8 file name is still far below). */
const PART_OVERHEAD_BYTES = 16 * 1024
/** Plain text fields a form may carry beside the files; they are read and ignored. */
export const MAX_TEXT_FIELDS = 10
export const MAX_TEXT_FIELD_BYTES = 1024

export interface UploadLimits {
  field: string
  maxFiles: number
  maxFileBytes: number
  /**
   * The whole body: the sum of the per-file limits plus multipart overhead, and not a byte more.
   * The one request-wide upload limit: the route counts the body against it as it streams, and
   * Bun's own cap on request bodies is set just above it.
   */
  maxRequestBytes: number
}

export function uploadLimits(
  env: Pick<Env, 'UPLOAD_MAX_FILES' | 'UPLOAD_MAX_FILE_MB'>,
): UploadLimits {
  const maxFileBytes = env.UPLOAD_MAX_FILE_MB * MB
  const parts = env.UPLOAD_MAX_FILES + MAX_TEXT_FIELDS
  return {
    field: 'files',
    maxFiles: env.UPLOAD_MAX_FILES,
    maxFileBytes,
    maxRequestBytes:
      env.UPLOAD_MAX_FILES * maxFileBytes +
      MAX_TEXT_FIELDS * MAX_TEXT_FIELD_BYTES +
      parts * PART_OVERHEAD_BYTES,
  }
}
