# syntax=docker/dockerfile:1
# The API as one small image: production dependencies only, a non-root user, data on volumes.
# Memory: the service reads its cgroup limit itself, so `docker run -m 512m` sets its budget.
# Run it with PostgreSQL (compose.yaml, or DATABASE_URL): embedded PGlite, used without one, peaks
# at about 740 MB on its first start and idles near 170 MB (docs/container.md).
ARG BUN_VERSION=1.4

FROM oven/bun:${BUN_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Bun installs from package-lock.json (the project's lock file) and refuses to drift from it.
# Type declarations, source maps and docs are of no use at run time: a third of node_modules.
RUN bun install --production --frozen-lockfile --ignore-scripts \
 && find node_modules -type f \
      \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) \
      -delete

# One minified file (scripts/build.ts): it idles about 6 MB lower than the sources.
FROM deps AS build
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN bun scripts/build.ts

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    UPLOAD_DIR=/uploads
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The sources too, for one-off commands (`bun run db:migrate`, `bun run db:seed`); tsconfig.json
# carries the JSX settings Bun needs to run them.
COPY package.json tsconfig.json ./
COPY drizzle ./drizzle
COPY src ./src
# The code stays root-owned and read-only to the service; only its data directories are its own.
RUN mkdir -p "$DATA_DIR" "$UPLOAD_DIR" \
 && chown bun:bun "$DATA_DIR" "$UPLOAD_DIR"
USER bun
VOLUME ["/data", "/uploads"]
EXPOSE 3000
# The service drains in-flight requests on SIGTERM (SHUTDOWN_TIMEOUT_SECONDS), then exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "dist/src/index.js"]
