/**
 * `yecai new source` end to end: a throwaway source scaffolded into a scratch workspace folder (.cache/, outside
 * the repository's packages), typechecked, registered for deploy from the one registry line, and then the kit's
 * conformance and crash suite run against its emulator skeleton — the same suite 聚水潭 and 旺店通 run. Removed
 * afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { deployDrift, loadSourceRegistry } from './deploy-sources';
import { prepareScaffoldRoot, scaffoldSource } from './new-source';

const REPO = join(__dirname, '..', '..', '..', '..');
const NAME = 'zzscaffold';
const root = join(REPO, '.cache', `scaffold-${process.pid}-${Date.now()}`);
mkdirSync(root, { recursive: true });
prepareScaffoldRoot(root);
const started = Date.now();
const result = scaffoldSource({ name: NAME, title: '脚手架', root, crashDocuments: 3000 });
const read = (path: string) => readFileSync(join(root, path), 'utf8');

afterAll(() => {
  process.stdout.write(
    `scaffold: ${result.created.length} files created, ${result.changed.length} registry/deploy files updated; scaffold + typecheck + conformance suite took ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  rmSync(root, { recursive: true, force: true });
});

describe('yecai new source', () => {
  it('creates one package, one emulator skeleton and a rules folder; deploy is one registry line and files generated from it', () => {
    const areas = new Set(
      result.created.map((file) =>
        file
          .split('/')
          .slice(0, file.startsWith('test/') ? 3 : 2)
          .join('/'),
      ),
    );
    expect([...areas].sort()).toEqual([`services/mapping`, `services/source-${NAME}`, `test/emulators/${NAME}`].sort());
    for (const file of [
      'src/source.ts',
      'src/transport.ts',
      'src/streams.ts',
      'src/main.ts',
      'src/conformance.int.test.ts',
    ])
      expect(result.created).toContain(`services/source-${NAME}/${file}`);
    for (const file of ['server.ts', 'store.ts', 'generator.ts', 'signing.ts', 'main.ts'])
      expect(result.created).toContain(`test/emulators/${NAME}/src/${file}`);
    expect(result.created).toContain(`services/mapping/rules/${NAME}/README.md`);
    // The emulator skeleton is built on the shared emulator kit, not a second copy of it.
    const emulatorPackage = JSON.parse(read(`test/emulators/${NAME}/package.json`)) as {
      dependencies: Record<string, string>;
    };
    expect(emulatorPackage.dependencies).toHaveProperty('@yecai/emulator-kit');
    expect(read(`test/emulators/${NAME}/src/server.ts`)).toMatch(/from '@yecai\/emulator-kit'/);
    expect(read(`test/emulators/${NAME}/src/server.ts`)).not.toMatch(/node:http/);
    // The emulator checks signatures with its own code, never the connector's signer.
    expect(read(`test/emulators/${NAME}/src/server.ts`)).not.toMatch(/source-zzscaffold|\.\.\/.*signing/);

    const entry = loadSourceRegistry(root).find((source) => source.system === NAME)!;
    // The next ports after every registered source's: no clash with a source added since.
    const others = loadSourceRegistry(REPO);
    const opsPort = Math.max(...others.map((source) => source.opsPort)) + 1;
    const emulatorPort = Math.max(...others.map((source) => source.emulatorPort)) + 1;
    expect(entry).toMatchObject({ title: '脚手架', opsPort, emulatorPort });
    expect(
      read('deploy/sources.yaml')
        .split('\n')
        .filter((line) => line.includes(NAME)),
    ).toHaveLength(1);
    // Everything else of the deploy side was generated from that line, and is in step with it.
    expect(deployDrift(root)).toEqual([]);
    const k8s = read(`deploy/k8s/base/source-${NAME}.yaml`);
    expect(k8s).toContain(`containerPort: ${opsPort}`);
    expect(k8s).toContain(`valueFrom: { secretKeyRef: { name: source-${NAME}, key: app-secret } }`);
    expect((parseYaml(read('deploy/k8s/base/kustomization.yaml')) as { resources: string[] }).resources).toContain(
      `source-${NAME}.yaml`,
    );
    const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, { ports?: string[] }> };
    expect(compose.services[`source-${NAME}`]?.ports).toEqual([`127.0.0.1:${opsPort}:${opsPort}`]);
    expect(compose.services[`${NAME}-emulator`]?.ports).toEqual([`127.0.0.1:${emulatorPort}:${emulatorPort}`]);
    expect(read('deploy/prometheus/prometheus.yml')).toContain(`'source-${NAME}:${opsPort}'`);
    expect(read(`deploy/docker/source-${NAME}.Dockerfile`)).toContain(`services/source-${NAME}/src/main.ts`);
    for (const config of [
      `deploy/k8s/base/config/${NAME}.yaml`,
      `deploy/k8s/overlays/dev/${NAME}.yaml`,
      `deploy/compose/${NAME}.yaml`,
    ])
      expect(existsSync(join(root, config))).toBe(true);
  });

  it('the generated package and emulator typecheck (strict)', () => {
    const tsc = spawnSync(
      process.execPath,
      [
        join(REPO, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(root, `services/source-${NAME}/tsconfig.json`),
        '--noEmit',
      ],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000);
});

// The generated conformance test file, as `npx jest services/source-<name>` would run it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(join(root, `services/source-${NAME}/src/conformance.int.test.ts`));
