import { createRouter } from '../../lib/create-app'

export const galleryRouter = createRouter()
