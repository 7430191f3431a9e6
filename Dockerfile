# The gateway's container image (docs/deploying.md). Multi-stage: the build stage installs every
# dependency and builds (TypeScript, and the embedded store's prepared data directory), the
# production stage holds the built code and the production dependencies only.
#
#   docker build -t travel-gateway .                 (or: podman build)
#   docker run -p 4000:4000 -v gateway-data:/data --stop-timeout 20 travel-gateway
#
# NODE_IMAGE: the base, by default the official Node LTS slim image.
ARG NODE_IMAGE=node:26-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# HEAP_HEADROOM_MB: on Node 26 V8 starts a full collection of a small heap every few hundred ms
# under load by its own trigger; a 32 MB growth step cut a voidQuote's CPU 296 -> 239 us, for
# 25-45 MB more peak RSS under load (docs/memory.md). npm start leaves it at 0.
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data/pglite \
    HEAP_HEADROOM_MB=32
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY package.json ./
# Only what runs: the gateway, its resolvers, schema and datasources (with the simulators of the
# all-simulator demo), and the prepared data directory that seeds an empty DATA_DIR. dist/src
# holds the bundle dist/src/main.js runs (dist/src/bundle); the modules beside it run when
# tracing is on.
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/resolvers ./dist/resolvers
COPY --from=build /app/dist/schema ./dist/schema
COPY --from=build /app/dist/datasources ./dist/datasources
# Readable by the node user: PostgreSQL keeps its data directories 0700.
COPY --from=build --chown=node:node /app/dist/pglite-template ./dist/pglite-template
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
# /readyz: the store and the pub/sub answer and the gateway is not shutting down.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: it stops accepting, drains, closes the store and
# exits within 15 s. Give the container more than that to stop (--stop-timeout 20,
# stop_grace_period: 20s): the default 10 s would kill a drain that is still running.
STOPSIGNAL SIGTERM
# As `npm start` runs it (docs/memory.md): a young generation of 8 MB per half (Node's own is 16),
# ~20-30 MB less RSS; and no allocation-site pretenuring, which sent the requests' short-lived objects
# to the old generation (about a fifth of a voidQuote's CPU on Node 20, in full collections).
CMD ["node", "--max-semi-space-size=8", "--no-allocation-site-pretenuring", "dist/src/main.js"]
