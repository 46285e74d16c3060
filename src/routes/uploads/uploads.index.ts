import { createRouter } from '../../lib/create-app'

export const uploadsRouter = createRouter()
