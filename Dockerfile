# syntax=docker/dockerfile:1
# Emporium: build once, run as an unprivileged user on a slim image.
#   docker build -t emporium .
#   docker run -p 3000:3000 -e JWT_SECRET=... -e DATABASE_URL=mysql://user:pass@db:3306/emporium emporium
# Without DATABASE_URL it uses SQLite in /app/data (mount a volume there to keep it).
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles its native addon when no prebuilt binary is available.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Swagger UI's bundled analytics postinstall stays off.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The SQLite default (data/emporium.sqlite) must be writable by the app user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server applies pending migrations itself, under a database lock (several replicas may start
# at once), and receives SIGTERM directly to drain in-flight requests before exiting.
CMD ["node", "dist/src/main.js"]
