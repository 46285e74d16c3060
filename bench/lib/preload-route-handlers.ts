// Preloaded (`bun --preload`) by bench/startup.ts's "eager" run: the handler modules the app
// imports on their first request (src/lib/lazy-handler.ts), imported at start-up instead, as
// every router did before.
import '../../src/routes/docs/docs.handlers'
import '../../src/routes/exports/exports.handlers'
import '../../src/routes/status/status.handlers'
import '../../src/routes/uploads/uploads.handlers'
