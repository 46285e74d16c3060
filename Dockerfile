# syntax=docker/dockerfile:1
FROM oven/bun:1.4-slim AS deps
WORKDIR /app
COPY package.json bun.lock* package-lock.json* ./
RUN bun install --production --frozen-lockfile --ignore-scripts 2>/dev/null \
 || bun install --production --ignore-scripts

FROM oven/bun:1.4-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    UPLOAD_DIR=/data/uploads
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY drizzle ./drizzle
RUN mkdir -p /data/uploads && chown -R bun:bun /data
USER bun
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "const r = await fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health'); process.exit(r.ok ? 0 : 1)"]
CMD ["bun", "src/index.ts"]
