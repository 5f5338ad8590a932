/**
 * `yecai new source <name>`: a new source system from templates (services/cli/templates/source) — the package
 * (declaration, config, signer, transport, two streams, main, the conformance test), an emulator skeleton on
 * @yecai/emulator-kit (server, store, seeded generator, signature check of its own), the rules folder, and one line
 * in the registry of sources (deploy/sources.yaml) from which the deploy files are generated. Nothing else needs a
 * hand edit.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors';
import { REGISTRY_PATH, loadSourceRegistry, writeDeploy } from './deploy-sources';

export const NEW_USAGE = `新数据源 new source:
  yecai new source <name> [--title 领星] [--streams sales_outstock,purchase_instock]
                      生成数据源包、模拟器骨架、规则目录并登记部署 scaffold the package, an emulator skeleton, the rules folder, and register it for deploy`;

export const NEW_OPTIONS = {
  title: { type: 'string' },
  streams: { type: 'string' },
} as const;

const TEMPLATES = join(__dirname, '..', '..', 'templates', 'source');
const REPO = join(__dirname, '..', '..', '..', '..');

export interface ScaffoldOptions {
  /** System name: lower-case letters and digits (`lingxing`); topics `raw.<name>.<documentType>`. */
  name: string;
  /** Name for people, Chinese first (`领星`); default the name. */
  title?: string;
  /** Two document types (canonical names where the flow is the same). */
  streams?: [string, string];
  /** Workspace root the files go to (default the repository); its node_modules gets the new workspaces' links. */
  root?: string;
  /** Documents per stream of the kill -9 case of the generated conformance test. */
  crashDocuments?: number;
}

export interface ScaffoldResult {
  created: string[];
  /** Registry and generated deploy files that changed. */
  changed: string[];
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path).map((file) => join(entry, file)) : [entry];
  });
}

export function scaffoldSource(options: ScaffoldOptions): ScaffoldResult {
  const { name } = options;
  if (!/^[a-z][a-z0-9]{1,30}$/.test(name))
    throw new UsageError(
      `数据源名称只能是小写字母和数字 / name "${name}": lower-case letters and digits, starting with a letter`,
    );
  const streams = options.streams ?? ['sales_outstock', 'purchase_instock'];
  for (const stream of streams)
    if (!/^[a-z][a-z0-9_]*$/.test(stream))
      throw new UsageError(`--streams: "${stream}" is not a document type name ([a-z0-9_])`);
  if (streams[0] === streams[1]) throw new UsageError('--streams: two different streams');
  const root = options.root ?? REPO;
  const registry = loadSourceRegistry(root);
  if (registry.some((entry) => entry.system === name))
    throw new UsageError(`${REGISTRY_PATH}: source "${name}" exists already`);
  const targets = {
    package: join(root, 'services', `source-${name}`),
    emulator: join(root, 'test', 'emulators', name),
    rules: join(root, 'services', 'mapping', 'rules', name),
  };
  for (const dir of Object.values(targets))
    if (existsSync(dir)) throw new UsageError(`${relative(root, dir)} exists already`);

  const opsPort = Math.max(...registry.map((entry) => entry.opsPort)) + 1;
  const emulatorPort = Math.max(...registry.map((entry) => entry.emulatorPort)) + 1;
  const title = options.title ?? name;
  const CONST = name.toUpperCase();
  const values: Record<string, string> = {
    __system__: name,
    __System__: pascal(name),
    __SYSTEM__: CONST,
    __CONST__: CONST,
    __title__: title,
    __opsPort__: String(opsPort),
    __emulatorPort__: String(emulatorPort),
    __stream1__: streams[0],
    __stream2__: streams[1],
    __crashDocuments__: String(options.crashDocuments ?? 6000),
    __packageTsconfigBase__: relative(targets.package, join(REPO, 'tsconfig.base.json')),
    __emulatorTsconfigBase__: relative(targets.emulator, join(REPO, 'tsconfig.base.json')),
  };
  const fill = (text: string) => text.replace(/__[A-Za-z0-9]+__/g, (token) => values[token] ?? token);

  const created: string[] = [];
  for (const [template, target] of [
    ['package', targets.package],
    ['emulator', targets.emulator],
    ['rules', targets.rules],
  ] as const) {
    for (const file of listFiles(join(TEMPLATES, template))) {
      const path = join(target, file.replace(/\.tmpl$/, ''));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, fill(readFileSync(join(TEMPLATES, template, file), 'utf8')));
      created.push(relative(root, path));
    }
  }

  // The registry line, then every deploy file from the registry.
  const registryFile = join(root, REGISTRY_PATH);
  const secrets = [
    `${CONST}_APP_SECRET=app-secret=sk_test`,
    `${CONST}_ACCESS_TOKEN=access-token=at_test`,
    `${CONST}_REFRESH_TOKEN=refresh-token?`,
  ];
  const line = `  - { system: ${name}, title: ${title}, config: ${name}, opsPort: ${opsPort}, emulatorPort: ${emulatorPort}, composeEmulator: true, secrets: [${secrets.join(', ')}] }\n`;
  const text = readFileSync(registryFile, 'utf8');
  writeFileSync(registryFile, `${text.replace(/\n*$/, '\n')}${line}`);
  const changed = [REGISTRY_PATH, ...writeDeploy(root)];

  // What `npm install` would link for the two new workspaces, so the package runs before the next install.
  for (const [pkg, dir] of [
    [`source-${name}`, targets.package],
    [`emulator-${name}`, targets.emulator],
  ] as const) {
    const link = join(root, 'node_modules', '@yecai', pkg);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(relative(dirname(link), dir), link, 'dir');
  }
  return { created, changed };
}

export async function newCommand(
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
): Promise<void> {
  const [what, name] = positionals;
  if (what !== 'source' || !name)
    throw new UsageError('用法 usage: yecai new source <name> [--title 领星] [--streams a,b]');
  const streams = typeof flags.streams === 'string' ? flags.streams.split(',').map((s) => s.trim()) : undefined;
  if (streams && streams.length !== 2)
    throw new UsageError('--streams: exactly two document types, e.g. sales_outstock,purchase_instock');
  const started = Date.now();
  const result = scaffoldSource({
    name,
    ...(typeof flags.title === 'string' ? { title: flags.title } : {}),
    ...(streams ? { streams: streams as [string, string] } : {}),
  });
  console.log(
    `已创建 created ${result.created.length} files:\n${result.created.map((file) => `  ${file}`).join('\n')}`,
  );
  console.log(
    `已更新 updated (registry and generated deploy files):\n${result.changed.map((file) => `  ${file}`).join('\n')}`,
  );
  console.log(`
下一步 next (${Date.now() - started} ms so far):
  npm install                                   记录新工作区 record the new workspaces in package-lock.json
  npx jest --runTestsByPath services/source-${name}/src/conformance.int.test.ts --selectProjects integration
  然后按厂商文档替换协议细节 then replace the protocol details with the vendor's (docs/adding-a-source.md)`);
}

/** Copies the repository files a scaffold writes to (registry and generated deploy files) into `root` for a dry run. */
export function prepareScaffoldRoot(root: string): void {
  for (const path of ['deploy', 'docker-compose.yml']) cpSync(join(REPO, path), join(root, path), { recursive: true });
}
