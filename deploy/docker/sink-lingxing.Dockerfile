# syntax=docker/dockerfile:1.7
# 领星 sink: canonical (Kingdee → 领星) → 领星 product/set writes with the MongoDB ledger (docs/reverse-flows.md).
# Build from the repository root: docker build -f deploy/docker/sink-lingxing.Dockerfile -t yecai/sink-lingxing .
# The repo has no build step (TypeScript runs through tsx), so the image carries the sources and production
# node_modules; the build stage's toolchain and dev dependencies stay behind.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Workspaces link to each other from node_modules, so the sources come in before the install.
COPY package.json package-lock.json ./
COPY libs ./libs
COPY services ./services
# test/ holds workspaces (emulators, harness, e2e) that npm install expects to find.
COPY test ./test
# npm install, not npm ci: the lock leaves other platforms' optional binaries out (see scripts/bootstrap.sh).
# tsx is a root devDependency; it runs the TypeScript, so it is added beside the production tree at the locked version.
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --prefix /tmp/tsx --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "tsx@${TSX_VERSION}" \
 && cp -rn /tmp/tsx/node_modules/. node_modules/ \
 && rm -rf /tmp/tsx \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production LOG_LEVEL=info
WORKDIR /app
COPY --from=build /app /app
# Non-root (Kubernetes sets the same uid; tsx writes its transpile cache to /tmp, mounted writable there).
USER 10001:10001
EXPOSE 8089
HEALTHCHECK --interval=20s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8089/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "services/sink-lingxing/src/main.ts"]
