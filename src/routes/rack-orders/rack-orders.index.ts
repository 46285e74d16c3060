import { createRouter } from '../../lib/create-app'

export const rackOrdersRouter = createRouter()
