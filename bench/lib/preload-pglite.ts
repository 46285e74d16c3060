// Preloaded (`bun --preload`) by bench/startup.ts's "PGlite imported" run: the modules
// src/db/client.ts imported at start-up before it loaded them only on the PGlite path, so the
// report can show what not loading them saves on PostgreSQL.
import '@electric-sql/pglite'
import '@electric-sql/pglite/contrib/btree_gist'
import 'drizzle-orm/pglite'
