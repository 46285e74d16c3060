import { createRouter } from '../../lib/create-app'

export const itemsRouter = createRouter()
