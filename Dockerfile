# qrlogin container image.
#   docker build -t qrlogin .
#   docker run -p 3000:3000 -v qrlogin-data:/data qrlogin   (one instance, durable embedded store in /data)
# For several instances behind nginx, see docker-compose.yml.

# --- build: install every dependency (esbuild is a devDependency), bundle, then drop dev deps.
FROM node:22-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so this layer is cached until the manifests change.
# The client packages are npm workspaces: npm ci needs their manifests too.
COPY package.json package-lock.json ./
COPY client/web/package.json ./client/web/
COPY client/react/package.json ./client/react/
COPY client/mobile/package.json ./client/mobile/
COPY client/node/package.json ./client/node/
RUN npm ci --no-audit --no-fund

# Only what scripts/build.mjs reads: the server, the SDKs and demo (client/), shared code.
COPY tsconfig.json ./
COPY scripts/ ./scripts/
COPY server/ ./server/
COPY client/ ./client/
COPY shared/ ./shared/
# dist/server/index.js (node_modules external), dist/public/ (demo + SDK); client/*/dist (packages).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and the built output only, as the non-root user `node`.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
# The embedded store's folder (accounts, QR codes, tickets, the generated signing key): keep it
# on a volume. Unused with REDIS_URL.
RUN mkdir -p /data && chown node:node /data
VOLUME /data

COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist

USER node
EXPOSE 3000

# Liveness only (/livez): a Redis outage makes /readyz answer 503 on every instance at once, and
# an orchestrator that restarts unhealthy containers would then drop every socket for nothing.
# Load balancers route on /readyz (deploy/nginx.conf notes it).
# The slim image has no curl/wget: Node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node","-e","fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Exec form: node is PID 1 and receives SIGTERM itself, then shuts down gracefully.
STOPSIGNAL SIGTERM
CMD ["node","dist/server/index.js"]
