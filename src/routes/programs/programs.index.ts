import { createRouter } from '../../lib/create-app'

export const programsRouter = createRouter()
