# Guichet server and worker image (one image, two commands: `npm run server`, `npm run worker`).
# The application runs TypeScript through tsx: there is no build step.
#
#   docker build -t guichet .
#   docker compose up        (see docker-compose.yml)

# --- dependencies, installed from the lockfile only -------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

# --- application --------------------------------------------------------------------------
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
# Whatever the build context brought along that must not be in the image (a local
# node_modules built elsewhere, local caches and data), then the clean dependencies.
RUN rm -rf node_modules .cache data artifacts scratch .git \
 && mkdir -p /app/data /app/files \
 && chown node:node /app/data /app/files
COPY --from=deps /app/node_modules ./node_modules

ENV PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
USER node
EXPOSE 8080
CMD ["npm", "run", "server"]
