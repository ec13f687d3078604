# syntax=docker/dockerfile:1
# One image per service of docker-compose.yml, each a target of this file:
#   docker build --target platform-api -t launchdb/platform-api .
# Base images are pinned by version (never `latest`); every service runs as the unprivileged
# `node` user; no secret is passed at build time: they all come from the environment at run time.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim
# PgBouncer and Caddy come from Debian 12's packages, the very builds the tests run (.ci/run
# installs them: pgbouncer 1.18, caddy 2.6.2), so what is tested is what is deployed. Pinned by
# tag only: a digest cannot be checked on the machines this is written on (no registry access).
ARG DEBIAN_IMAGE=debian:12.11-slim

# --- production dependencies only (tsx is the cli workspace's runtime loader, not a dev tool)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY pgbouncer/package.json pgbouncer/
COPY data-api/package.json data-api/
COPY postgrest-manager/package.json postgrest-manager/
COPY auth-service/package.json auth-service/
COPY storage-service/package.json storage-service/
COPY platform-api/package.json platform-api/
COPY cli/package.json cli/
COPY dashboard/package.json dashboard/
COPY backup/package.json backup/
COPY testkit/package.json testkit/
COPY worker/package.json worker/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- builds: the data API bundle postgrest-manager runs, each Node service's own code as one
# module (npm packages stay in node_modules, imported by their /app path: cli/src/embedded/
# service-bundles.ts, as `launchdb up --split` runs them), and the dashboard (adapter-node)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && node --import tsx data-api/build.ts \
 && node --import tsx cli/src/embedded/service-bundles.ts dist/services \
 && npm run build -w dashboard

# --- what every service image shares: sources, production node_modules, no build tools
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --chown=root:root . .
COPY --from=build --chown=root:root /app/data-api/dist data-api/dist
COPY --from=build --chown=root:root /app/dist/services dist/services
# the only folders a service writes to; everything else stays root-owned and read-only to it.
# /pgbouncer is the volume shared with the pgbouncer image, whose user has node's uid (1000).
RUN mkdir -p /data /backups /launchdb /pgbouncer && chown node:node /data /backups /launchdb /pgbouncer
USER node

# one-shot, before every other service: `launchdb migrate-platform` (what `launchdb up` does
# first: migrations, the platform role, the first operator, PgBouncer's files), then it exits;
# compose's service_completed_successfully is its readiness
FROM runtime AS platform-migrate
ENV LAUNCHDB_DATA_DIR=/launchdb
HEALTHCHECK NONE
CMD ["node", "cli/bin/launchdb.js", "migrate-platform"]

FROM runtime AS platform-api
ENV LAUNCHDB_HOST=0.0.0.0 LAUNCHDB_PORT=8080 TRUST_PROXY=true
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/platform-api.mjs"]

FROM runtime AS postgrest-manager
ENV POSTGREST_MANAGER_HOST=0.0.0.0 POSTGREST_MANAGER_PORT=8081 DATA_API_ENTRY=/app/data-api/dist/main.js
EXPOSE 8081
# any answer (401 without the internal key) proves it listens
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/internal/postgrest').then(() => process.exit(0), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/postgrest-manager.mjs"]

FROM runtime AS auth-service
ENV AUTH_HOST=0.0.0.0 AUTH_PORT=9999 TRUST_PROXY=true
EXPOSE 9999
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9999/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/auth-service.mjs"]

FROM runtime AS storage-service
ENV STORAGE_HOST=0.0.0.0 STORAGE_PORT=5000 TRUST_PROXY=true STORAGE_FS_ROOT=/data/storage STORAGE_UPLOADS_DIR=/data/storage-uploads
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:5000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/storage-service.mjs"]

FROM runtime AS worker
ENV WORKER_HEALTH_HOST=0.0.0.0 WORKER_HEALTH_PORT=5100 STORAGE_FS_ROOT=/data/storage
EXPOSE 5100
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:5100/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/worker.mjs"]

FROM runtime AS backup
# pg_dump/pg_restore of the server's major version (15)
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
USER node
ENV LAUNCHDB_DATA_DIR=/data BACKUP_DIR=/backups STORAGE_FS_ROOT=/data/storage BACKUP_METRICS_HOST=0.0.0.0 BACKUP_METRICS_PORT=5200
# /metrics (backup ages, last verify) for Prometheus on the network; each night's result is also in the platform's /api/health
EXPOSE 5200
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:5200/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/services/backup.mjs"]

FROM ${NODE_IMAGE} AS dashboard
ENV NODE_ENV=production DASHBOARD_HOST=0.0.0.0 DASHBOARD_PORT=3000 \
    DASHBOARD_PROTOCOL_HEADER=x-forwarded-proto DASHBOARD_HOST_HEADER=x-forwarded-host \
    DASHBOARD_ADDRESS_HEADER=x-forwarded-for DASHBOARD_XFF_DEPTH=1
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /app/dashboard/build dashboard/build
COPY --chown=root:root dashboard/package.json dashboard/
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/icon.svg').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dashboard/build"]

# PgBouncer on the files platform-migrate and platform-api write into the shared /pgbouncer
# volume (0600, so it runs as their uid), reloaded by them over its admin console
FROM ${DEBIAN_IMAGE} AS pgbouncer
RUN apt-get update \
 && apt-get install -y --no-install-recommends pgbouncer \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --user-group --no-create-home --shell /usr/sbin/nologin launchdb \
 && mkdir -p /pgbouncer && chown launchdb:launchdb /pgbouncer
USER launchdb
EXPOSE 6432
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/6432"]
CMD ["/usr/sbin/pgbouncer", "/pgbouncer/pgbouncer.ini"]

# Caddy with caddy/Caddyfile; certificates in /data, autosaved config in /config (volumes).
# Binding 80/443 as a user is allowed in containers (Docker sets ip_unprivileged_port_start=0).
FROM ${DEBIAN_IMAGE} AS caddy
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /config && chown caddy:caddy /data /config
COPY --chown=root:root caddy/Caddyfile caddy/launchdb.caddy /etc/caddy/
ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config
USER caddy
EXPOSE 80 443 443/udp
# the metrics listener (:2020) answers once the config is loaded
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/2020"]
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
