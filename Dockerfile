# syntax=docker/dockerfile:1
# One image for the app, the worker and the migrations (different commands, same files):
#   app         node dist/server.mjs    (the default CMD)
#   worker      node dist/worker.mjs
#   migrations  node dist/migrate.mjs
# Runs as a numeric non-root user on a read-only root filesystem; only /tmp must be writable
# (Kubernetes: an emptyDir; compose: a tmpfs). deploy/standalone.test.ts starts this very tree
# with this stage's ENV, USER and CMD on a read-only bind mount.
# Pin the base by digest in production (REGISTRY/node:20-bookworm-slim@sha256:…), mirrored in Harbor.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
# patches/: a fix to a dependency that upstream has not released yet, applied by postinstall.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# next build (output: "standalone") + serwist, then the server, worker and migration bundles,
# static files and migrations copied into .next/standalone (scripts/assemble-standalone.ts).
RUN npm run build:standalone

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# Owned by root and not writable by the app user: the code cannot be changed at run time even
# where the root filesystem is not mounted read-only.
COPY --from=build /src/.next/standalone /app
ENV NODE_ENV=production
ENV NEXT_TELEMETRY_DISABLED=1
ENV VARDTID_MODE=production
ENV PORT=3000
ENV HOME=/tmp
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.mjs"]
