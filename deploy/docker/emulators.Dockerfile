# syntax=docker/dockerfile:1.7
# Emulators for development and demos (JST by default; override the command for Kingdee: test/emulators/kingdee/src/main.ts).
# Build from the repository root: docker build -f deploy/docker/emulators.Dockerfile -t yecai/emulators .
# The repo has no build step (TypeScript runs through tsx), so the image carries the sources and production
# node_modules; the build stage's toolchain and dev dependencies stay behind.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Manifests first: the dependency layer is reused until a package.json or the lock changes.
COPY package.json package-lock.json ./
COPY libs ./libs
COPY services ./services
COPY schemas ./schemas
COPY test/harness/package.json ./test/harness/package.json
COPY test/emulators ./test/emulators
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund "tsx@${TSX_VERSION}" \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production LOG_LEVEL=info
WORKDIR /app
COPY --from=build /app /app
# Non-root (Kubernetes sets the same uid; tsx writes its transpile cache to /tmp, mounted writable there).
USER 10001:10001
EXPOSE 8701 8090
ENTRYPOINT ["node", "--import", "tsx", "test/emulators/jushuitan/src/main.ts"]
