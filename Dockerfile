# Guichet server and worker image: one image, two commands (`npm run server`, `npm run worker`),
# running the compiled JavaScript (dist/) with production dependencies only.
#
#   docker build -t guichet .
#   docker compose up --build        (see docker-compose.yml)

# --- build: every dependency, then `npm run build` (tsc to dist/, assets, workflow bundle) --------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- run: production dependencies and the compiled code, nothing else ----------------------------
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The worker's command (docker-compose.yml): node with its heap bounded from WORKER_MEMORY_MB.
COPY scripts/start-worker.sh ./scripts/start-worker.sh
# DATA_DIR holds the generated session secret when SESSION_SECRET is not set (set it when running
# several servers: they must share it). Files go to object storage (STORAGE_URL), not here.
RUN mkdir -p /app/data && chown node:node /app/data

ENV PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
USER node
EXPOSE 8080
# `node` directly rather than through npm: signals reach the process, which stops cleanly. The
# worker: `sh scripts/start-worker.sh` (execs node with --max-old-space-size from WORKER_MEMORY_MB).
CMD ["node", "--enable-source-maps", "dist/http-server.js"]
