import { createRouter } from '../../lib/create-app'

export const bookingsRouter = createRouter()
