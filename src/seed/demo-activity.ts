import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { and, count, eq } from 'drizzle-orm'
import { sqlState } from '../db/errors'
import { ServiceError } from '../services/errors'
import { createGalleryImage } from '../services/gallery/gallery'
import { enrol } from '../services/programs/enrolments'
import { placeOrder } from '../services/rack-orders/place-order'
import { insertUpload } from '../services/uploads/uploads'
import type { Db } from '../db/client'
import { galleryImages, items, rackOrders, regularPrograms } from '../db/schema'

/** Three small solid-colour PNGs (8 x 8) for the demo gallery. */
const demoImages = [
  { title: 'Main hall', png: 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOQz3+NFTEMLQkAoOReQWgyRl8AAAAASUVORK5CYII=' },
  { title: 'Tennis courts', png: 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGPQW+CMFTEMLQkApg5EQROpaikAAAAASUVORK5CYII=' },
  { title: 'Dance studio', png: 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGO4NFMJK2IYWhIA9AJjQbd5hqgAAAAASUVORK5CYII=' },
]

const expected = (error: unknown) => error instanceof ServiceError || sqlState(error) === '23505'

/**
 * Enrolments, rack orders and a public gallery, so every list of the API shows something.
 * Each part is skipped when it already has data, so seeding again adds nothing twice.
 */
export async function seedDemoActivity(db: Db, userIds: number[], uploadDir: string) {
  const someUsers = userIds.slice(0, 12)
  const programs = await db
    .select({ id: regularPrograms.id })
    .from(regularPrograms)
    .where(eq(regularPrograms.isActive, true))
  for (const program of programs) {
    for (const userId of someUsers.slice(0, 6)) {
      // A full or ended program, or an existing enrolment, is simply left as it is.
      await enrol(db, program.id, userId).catch((error) => {
        if (!expected(error)) throw error
      })
    }
  }

  const [orders] = await db.select({ n: count() }).from(rackOrders)
  if ((orders?.n ?? 0) === 0) {
    const merchandise = await db
      .select({ id: items.id })
      .from(items)
      .where(and(eq(items.kind, 'merchandise'), eq(items.isActive, true)))
    for (const [i, userId] of someUsers.entries()) {
      const lines = merchandise
        .filter((_, j) => (i + j) % 2 === 0)
        .map((item, j) => ({ itemId: item.id, quantity: 1 + ((i + j) % 3) }))
      if (lines.length > 0) await placeOrder(db, userId, lines)
    }
  }

  const [images] = await db.select({ n: count() }).from(galleryImages)
  if ((images?.n ?? 0) === 0 && someUsers[0] !== undefined) {
    await mkdir(uploadDir, { recursive: true })
    for (const [i, image] of demoImages.entries()) {
      const bytes = Buffer.from(image.png, 'base64')
      const storedName = `${randomUUID()}.png`
      await writeFile(join(uploadDir, storedName), bytes)
      const upload = await insertUpload(db, {
        userId: someUsers[0],
        originalName: `${image.title.toLowerCase().replace(/ /g, '-')}.png`,
        storedName,
        mime: 'image/png',
        sizeBytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      })
      if (!upload) {
        // The same picture was uploaded before: keep that one, drop this copy.
        await rm(join(uploadDir, storedName), { force: true })
        continue
      }
      await createGalleryImage(db, {
        uploadId: upload.id,
        title: image.title,
        caption: 'Demo photo',
        isPublic: true,
        sortOrder: i,
      })
    }
  }
}
