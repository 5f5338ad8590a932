/**
 * The deploy side of every source system, generated from one registry (deploy/sources.yaml, one line per source):
 * its image (deploy/docker/source-<system>.Dockerfile), its Kubernetes resources (deploy/k8s/base/source-<system>.yaml),
 * and its entries in the shared files — base and overlay kustomizations, docker-compose.yml, the compose Prometheus
 * config — between `>>> generated` / `<<< generated` markers. Config files (one per environment) are created from a
 * template when missing and then belong to the operator.
 *   yecai deploy generate            write what is out of step
 *   yecai deploy generate --check    exit 1 naming every file that is out of step (CI, deploy-sources.test.ts)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseWith } from '@yecai/common';
import { UsageError } from '../errors';

export const DEPLOY_USAGE = `部署文件 deploy files:
  yecai deploy generate [--check]   由 deploy/sources.yaml 生成各数据源的部署文件 render every source's deploy files from the registry (--check: only report drift)`;

export const REGISTRY_PATH = 'deploy/sources.yaml';

/** `ENV_NAME=secret-key[=dev value]`; a key ending in `?` is optional in the Secret. */
const SECRET_SPEC = /^([A-Z][A-Z0-9_]*)=([a-z0-9-]+\??)(?:=(.*))?$/;

const sourceEntrySchema = z.object({
  system: z.string().regex(/^[a-z][a-z0-9]*$/, 'system: lower-case letters and digits'),
  title: z.string().min(1),
  /** Config file stem: deploy/k8s/base/config/<config>.yaml, deploy/compose/<config>.yaml, /etc/yecai/<config>.yaml. */
  config: z.string().regex(/^[a-z0-9-]+$/),
  opsPort: z.number().int().min(1024).max(65535),
  emulatorPort: z.number().int().min(1024).max(65535),
  secrets: z.array(z.string().regex(SECRET_SPEC, 'secrets: ENV_NAME=secret-key[=dev value]')).default([]),
  /** Environment of the compose service when it differs from the secrets' dev values (several demo accounts). */
  composeEnv: z.record(z.string(), z.string()).optional(),
  /** A persistent volume for rotated tokens at /var/lib/yecai/tokens. */
  tokens: z.boolean().default(false),
  /** Whether docker-compose.yml gets the emulator service from here (sources older than the registry have theirs by hand). */
  composeEmulator: z.boolean().default(false),
});
export type SourceEntry = z.output<typeof sourceEntrySchema>;

const registrySchema = z.object({ sources: z.array(sourceEntrySchema).min(1) });

export function loadSourceRegistry(root: string): SourceEntry[] {
  const { sources } = parseWith(
    registrySchema,
    parseYaml(readFileSync(join(root, REGISTRY_PATH), 'utf8')),
    REGISTRY_PATH,
  );
  for (const key of ['system', 'config', 'opsPort', 'emulatorPort'] as const) {
    const seen = new Set<unknown>();
    for (const entry of sources) {
      if (seen.has(entry[key])) throw new UsageError(`${REGISTRY_PATH}: ${key} ${String(entry[key])} is used twice`);
      seen.add(entry[key]);
    }
  }
  return sources;
}

const deployment = (entry: SourceEntry) => `source-${entry.system}`;
const secretsOf = (entry: SourceEntry) =>
  entry.secrets.map((spec) => {
    const [, env, key, dev] = SECRET_SPEC.exec(spec)!;
    return { env: env!, key: key!.replace(/\?$/, ''), optional: key!.endsWith('?'), dev };
  });

function dockerfile(entry: SourceEntry): string {
  const name = deployment(entry);
  return `# syntax=docker/dockerfile:1.7
# ${entry.title} source service (live sync; --backfill/--check/--once as arguments). Generated from deploy/sources.yaml.
# Build from the repository root: docker build -f deploy/docker/${name}.Dockerfile -t yecai/${name} .
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
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund \\
 && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \\
 && npm install --prefix /tmp/tsx --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "tsx@\${TSX_VERSION}" \\
 && cp -rn /tmp/tsx/node_modules/. node_modules/ \\
 && rm -rf /tmp/tsx \\
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production LOG_LEVEL=info
WORKDIR /app
COPY --from=build /app /app
# Non-root (Kubernetes sets the same uid; tsx writes its transpile cache to /tmp, mounted writable there).
USER 10001:10001
EXPOSE ${entry.opsPort}
HEALTHCHECK --interval=20s --timeout=5s --start-period=60s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:${entry.opsPort}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "services/${name}/src/main.ts"]
`;
}

const DOCKERIGNORE = `# BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile: keep the context to what the image needs.
**/node_modules
.cache
.git
.ci
bench
docs
deploy
**/*.test.ts
**/coverage
`;

function kubernetes(entry: SourceEntry): string {
  const name = deployment(entry);
  const env = secretsOf(entry)
    .map(
      (secret) => `            - name: ${secret.env}
              valueFrom: { secretKeyRef: { name: ${name}, key: ${secret.key}${secret.optional ? ', optional: true' : ''} } }`,
    )
    .join('\n');
  return `# ${entry.title} source: one active instance (each stream lane fences its predecessor through its transactional id, so a
# second replica would only fight the first): replicas 1, Recreate. Generated from deploy/sources.yaml.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/component: source
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/component: source
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      terminationGracePeriodSeconds: 60
      containers:
        - name: ${name}
          image: yecai/${name}
          args: ['--config', '/etc/yecai/${entry.config}.yaml']
          ports:
            - name: ops
              containerPort: ${entry.opsPort}
          envFrom:
            - configMapRef:
                name: yecai-endpoints
${env ? `          env:\n${env}\n` : ''}          livenessProbe:
            httpGet: { path: /healthz, port: ops }
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 3
          readinessProbe:
            httpGet: { path: /readyz, port: ops }
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 3
          startupProbe:
            httpGet: { path: /healthz, port: ops }
            periodSeconds: 5
            failureThreshold: 36
          resources:
            requests: { cpu: 100m, memory: 256Mi }
            limits: { cpu: '1', memory: 512Mi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          volumeMounts:
            - { name: config, mountPath: /etc/yecai, readOnly: true }
${entry.tokens ? '            - { name: tokens, mountPath: /var/lib/yecai/tokens }\n' : ''}            - { name: tmp, mountPath: /tmp }
      volumes:
        - name: config
          configMap:
            name: ${name}-config
${
  entry.tokens
    ? `        - name: tokens
          persistentVolumeClaim:
            claimName: ${name}-tokens
`
    : ''
}        - name: tmp
          emptyDir: { sizeLimit: 256Mi }
---
${
  entry.tokens
    ? `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}-tokens
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 16Mi
---
`
    : ''
}apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - { name: ops, port: ${entry.opsPort}, targetPort: ops }
---
# One replica: allow the eviction (a drain restarts it elsewhere; it resumes from its Kafka checkpoint).
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
`;
}

/** The config file of one environment, created when missing (then the operator's). */
function configFile(entry: SourceEntry, environment: 'base' | 'dev' | 'compose'): string {
  const secrets = secretsOf(entry);
  const reference = (key: string) =>
    secrets.find((secret) => secret.key === key)?.env ??
    `${entry.system.toUpperCase()}_${key.replace(/-/g, '_').toUpperCase()}`;
  const baseUrl =
    environment === 'base'
      ? 'https://REPLACE_WITH_API_HOST'
      : environment === 'dev'
        ? `http://${entry.config}-emulator.yecai-dev.svc:${entry.emulatorPort}`
        : `http://${entry.config}-emulator:${entry.emulatorPort}`;
  const header =
    environment === 'base'
      ? `# ${entry.title} source (services/source-${entry.system}/src/config.ts; every field: --config-reference). Brokers and registry
# come from KAFKA_BROKERS and SCHEMA_REGISTRY_URL; secrets are references resolved from the container environment.`
      : `# ${environment === 'dev' ? 'Dev' : 'docker-compose'}: the ${entry.title} emulator's test credentials (test/emulators/${entry.system}).`;
  return `${header}
service: source_${entry.system}
opsPort: ${entry.opsPort}
pollIntervalSeconds: ${environment === 'base' ? 30 : 10}
accounts:
  - name: ${environment === 'base' ? 'main' : 'demo'}
    baseUrl: ${baseUrl}
    appKey: ${environment === 'base' ? 'REPLACE_WITH_APP_KEY' : 'ak_test'}
    appSecret: env:${reference('app-secret')}
    accessToken: env:${reference('access-token')}
    startAt: '2026-11-01 00:00:00'
`;
}

function composeBlock(entry: SourceEntry): string {
  const name = deployment(entry);
  const environment =
    entry.composeEnv ??
    Object.fromEntries(
      secretsOf(entry)
        .filter((s) => s.dev !== undefined)
        .map((s) => [s.env, s.dev!]),
    );
  const env = Object.entries(environment)
    .map(([key, value]) => `      ${key}: ${/^[\w.:/-]+$/.test(value) && !/^\d+$/.test(value) ? value : `'${value}'`}`)
    .join('\n');
  const emulator = entry.composeEmulator
    ? `
  ${entry.config}-emulator:
    image: yecai/emulators:dev
    depends_on: [jst-emulator]
    entrypoint: ['node', '--import', 'tsx', 'test/emulators/${entry.system}/src/main.ts']
    command: ['--port', '${entry.emulatorPort}', '--host', '0.0.0.0', '--seed', '7', '--documents', '2000', '--days', '7']
    ports: ['127.0.0.1:${entry.emulatorPort}:${entry.emulatorPort}']
`
    : '';
  return `${emulator}
  ${name}:
    <<: *service
    build: { context: ., dockerfile: deploy/docker/${name}.Dockerfile }
    image: yecai/${name}:dev
    command: ['--config', '/etc/yecai/${entry.config}.yaml']
    environment:
      <<: *service-env
${env ? `${env}\n` : ''}    volumes:
      - ./deploy/compose/${entry.config}.yaml:/etc/yecai/${entry.config}.yaml:ro
${entry.tokens ? `      - ${entry.config}-tokens:/var/lib/yecai/tokens\n` : ''}    ports: ['127.0.0.1:${entry.opsPort}:${entry.opsPort}']
`;
}

/** Shared files: the region between the markers named `region` (indented like the markers) is replaced. */
const REGIONS: Array<{ file: string; region: string; render: (sources: SourceEntry[]) => string }> = [
  {
    file: 'deploy/k8s/base/kustomization.yaml',
    region: 'resources',
    render: (s) => s.map((e) => `  - ${deployment(e)}.yaml\n`).join(''),
  },
  {
    file: 'deploy/k8s/base/kustomization.yaml',
    region: 'config',
    render: (s) =>
      s
        .map((e) => `  - name: ${deployment(e)}-config\n    files:\n      - ${e.config}.yaml=config/${e.config}.yaml\n`)
        .join(''),
  },
  {
    file: 'deploy/k8s/overlays/dev/kustomization.yaml',
    region: 'images',
    render: (s) =>
      s
        .map(
          (e) => `  - { name: yecai/${deployment(e)}, newName: localhost:5000/yecai/${deployment(e)}, newTag: dev }\n`,
        )
        .join(''),
  },
  {
    file: 'deploy/k8s/overlays/dev/kustomization.yaml',
    region: 'config',
    render: (s) =>
      s
        .map(
          (e) =>
            `  - name: ${deployment(e)}-config\n    behavior: replace\n    files:\n      - ${e.config}.yaml=${e.config}.yaml\n`,
        )
        .join(''),
  },
  {
    file: 'deploy/k8s/overlays/dev/kustomization.yaml',
    region: 'secrets',
    render: (s) =>
      s
        .map((e) => ({ e, literals: secretsOf(e).filter((secret) => secret.dev !== undefined) }))
        .filter(({ literals }) => literals.length > 0)
        .map(
          ({ e, literals }) =>
            `  - name: ${deployment(e)}\n    literals:\n${literals.map((l) => `      - ${l.key}=${l.dev}\n`).join('')}`,
        )
        .join(''),
  },
  {
    file: 'deploy/k8s/overlays/prod/kustomization.yaml',
    region: 'images',
    render: (s) =>
      s
        .map(
          (e) =>
            `  - { name: yecai/${deployment(e)}, newName: registry.example.internal/yecai/${deployment(e)}, newTag: 0.1.0 }\n`,
        )
        .join(''),
  },
  {
    file: 'deploy/prometheus/prometheus.yml',
    region: 'scrape',
    render: (s) =>
      s
        .map(
          (e) =>
            `  - job_name: yecai-${deployment(e)}\n    static_configs:\n      - targets: ['${deployment(e)}:${e.opsPort}']\n`,
        )
        .join(''),
  },
  { file: 'docker-compose.yml', region: 'services', render: (s) => s.map(composeBlock).join('').replace(/^\n/, '') },
  {
    file: 'docker-compose.yml',
    region: 'volumes',
    render: (s) =>
      s
        .filter((e) => e.tokens)
        .map((e) => `  ${e.config}-tokens:\n`)
        .join(''),
  },
];

const BEGIN = (region: string) => `# >>> generated: sources ${region} (deploy/sources.yaml, yecai deploy generate)`;
const END = (region: string) => `# <<< generated: sources ${region}`;

function replaceRegion(text: string, file: string, region: string, body: string): string {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => line.trim() === BEGIN(region));
  const end = lines.findIndex((line, index) => index > begin && line.trim() === END(region));
  if (begin < 0 || end < 0) throw new UsageError(`${file}: markers of the generated "${region}" region are missing`);
  const bodyLines = body === '' ? [] : body.replace(/\n$/, '').split('\n');
  return [...lines.slice(0, begin + 1), ...bodyLines, ...lines.slice(end)].join('\n');
}

/** Every generated file's wanted content (config files only when they do not exist yet). */
export function renderDeploy(root: string, sources: SourceEntry[] = loadSourceRegistry(root)): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of sources) {
    files.set(`deploy/docker/${deployment(entry)}.Dockerfile`, dockerfile(entry));
    files.set(`deploy/docker/${deployment(entry)}.Dockerfile.dockerignore`, DOCKERIGNORE);
    files.set(`deploy/k8s/base/${deployment(entry)}.yaml`, kubernetes(entry));
    for (const [environment, path] of [
      ['base', `deploy/k8s/base/config/${entry.config}.yaml`],
      ['dev', `deploy/k8s/overlays/dev/${entry.config}.yaml`],
      ['compose', `deploy/compose/${entry.config}.yaml`],
    ] as const) {
      if (!existsSync(join(root, path))) files.set(path, configFile(entry, environment));
    }
  }
  for (const { file, region, render } of REGIONS) {
    const current = files.get(file) ?? readFileSync(join(root, file), 'utf8');
    files.set(file, replaceRegion(current, file, region, render(sources)));
  }
  return files;
}

/** Files whose content differs from what the registry renders. */
export function deployDrift(root: string): string[] {
  return [...renderDeploy(root)]
    .filter(([path, content]) => !existsSync(join(root, path)) || readFileSync(join(root, path), 'utf8') !== content)
    .map(([path]) => path);
}

export function writeDeploy(root: string): string[] {
  const changed = deployDrift(root);
  const files = renderDeploy(root);
  for (const path of changed) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), files.get(path)!);
  }
  return changed;
}

export async function deployCommand(
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  root = join(__dirname, '..', '..', '..', '..'),
): Promise<void> {
  if (positionals[0] !== 'generate') throw new UsageError(`用法 usage: yecai deploy generate [--check]`);
  if (flags.check) {
    const drift = deployDrift(root);
    if (drift.length === 0)
      return void console.log('部署文件与 deploy/sources.yaml 一致 / deploy files match deploy/sources.yaml');
    console.log(
      `与 deploy/sources.yaml 不一致，请运行 yecai deploy generate / out of step with deploy/sources.yaml — run yecai deploy generate:\n${drift.map((p) => `  ${p}`).join('\n')}`,
    );
    process.exitCode = 1;
    return;
  }
  const written = writeDeploy(root);
  console.log(
    written.length ? `已生成 generated:\n${written.map((p) => `  ${p}`).join('\n')}` : '无变化 / nothing to change',
  );
}
