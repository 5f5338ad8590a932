/**
 * The shipped deployments (Kubernetes base, the dev overlay, docker compose) run every flow that has a mapping rule:
 * the sink posts every canonical type a rule produces (to the Kingdee form the rule names), a source service runs
 * for every source system with rules and reads the streams those rules consume, mapping runs, and every admin
 * surface has tokens. Expectations come from the rules (services/mapping/rules): a new rule file without its
 * deploy config fails here, not as a topic piling up unconsumed in production.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AdminTokensTextSchema, parseWith } from '@yecai/common';
import { loadRules, targetSystems } from '@yecai/mapping';
import { ConsoleConfigSchema } from '@yecai/console';
import { parseReconcileConfig } from '@yecai/reconcile';
import { formsOf, parseSinkConfig, SINK_DOCUMENT_TYPES, type SinkDocumentType } from '@yecai/sink-kingdee';
import { parseSinkConfig as parseJstSinkConfig } from '@yecai/sink-jushuitan';
import { parseSinkConfig as parseWdtSinkConfig } from '@yecai/sink-wangdiantong';
import { parseSinkConfig as parseLingxingSinkConfig } from '@yecai/sink-lingxing';
import { loadSourceRegistry } from './deploy-sources';

const ROOT = join(__dirname, '..', '..', '..', '..');
const yamlAt = (path: string) => parseYaml(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;
const yamlDocuments = (path: string) =>
  readFileSync(join(ROOT, path), 'utf8')
    .split(/^---$/m)
    .map((text) => parseYaml(text) as K8sResource | null)
    .filter((doc): doc is K8sResource => doc !== null);

/** What these checks need of a source package's `defineSource` declaration. */
interface DeclaredSource {
  declaration: { system: string };
  deploymentName: string;
  allStreams: { name: string; documentType: string }[];
  loadConfig(path: string): Promise<{ accounts: { name: string; streams?: string[] | undefined }[] }>;
}

/**
 * Every registered source (deploy/sources.yaml), as its own package declares it: its service and how a config's
 * account names the streams it runs. Read from the packages, so a new source needs no line here.
 */
const SOURCES: Record<string, { service: string; streams: { name: string; documentType: string }[]; load: (path: string) => Promise<{ accounts: { name: string; streams?: string[] | undefined }[] }> }> = Object.fromEntries(
  loadSourceRegistry(ROOT).map(({ system }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package is named by the registry line
    const exported = Object.values(require(`@yecai/source-${system}`) as Record<string, unknown>);
    const declared = exported.find(
      (value): value is DeclaredSource =>
        typeof value === 'object' && value !== null && (value as Partial<DeclaredSource>).declaration?.system === system,
    );
    if (!declared) throw new Error(`@yecai/source-${system} exports no defineSource declaration for "${system}"`);
    return [system, { service: declared.deploymentName, streams: declared.allStreams, load: (path: string) => declared.loadConfig(path) }];
  }),
);
/** The source systems some mapping rule reads. */
const RULE_SYSTEMS = (rules: { rule: { source: { system: string } } }[]) => [...new Set(rules.map((rule) => rule.rule.source.system))].sort();

interface K8sResource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: {
      spec: {
        containers: { env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; envFrom?: { configMapRef?: { name: string } }[] }[];
        volumes?: { configMap?: { name: string } }[];
      };
    };
  };
}

/** One shipped deployment: which services run, the config file each reads, and the environment each gets. */
interface Shipped {
  name: string;
  services: Set<string>;
  configOf: Map<string, string>;
  /** Environment a service sees, with secrets as `secret:<name>/<key>` (Kubernetes) or their literal value (compose). */
  envOf: (service: string) => Record<string, string>;
  /** Secrets the deployment itself creates (`<name>/<key>`), when it creates any (the dev overlay). */
  secrets?: Set<string>;
}

function kustomization(dir: string): {
  resources?: string[];
  configMapGenerator?: { name: string; files?: string[]; literals?: string[] }[];
  secretGenerator?: { name: string; literals?: string[] }[];
} {
  return yamlAt(join(dir, 'kustomization.yaml')) as ReturnType<typeof kustomization>;
}

/** A kustomize base or overlay: Deployments from its resources (overlays: their bases'), generated ConfigMaps replaced by name. */
function kubernetes(name: string, dir: string): Shipped {
  const resources: K8sResource[] = [];
  const generated = new Map<string, { files: string[]; literals: string[] }>();
  const secrets = new Set<string>();
  const load = (at: string) => {
    const spec = kustomization(at);
    for (const generator of spec.secretGenerator ?? []) for (const line of generator.literals ?? []) secrets.add(`${generator.name}/${line.slice(0, line.indexOf('='))}`);
    for (const resource of spec.resources ?? []) {
      if (resource.endsWith('.yaml')) resources.push(...yamlDocuments(join(at, resource)));
      else load(join(at, resource));
    }
    for (const generator of spec.configMapGenerator ?? []) {
      generated.set(generator.name, { files: (generator.files ?? []).map((file) => join(at, file.split('=').pop()!)), literals: generator.literals ?? [] });
    }
  };
  load(dir);
  const deployments = resources.filter((resource) => resource.kind === 'Deployment');
  const configMaps = new Map(resources.filter((resource) => resource.kind === 'ConfigMap').map((map) => [map.metadata.name, map.data ?? {}]));
  for (const [mapName, { literals }] of generated) {
    if (literals.length) configMaps.set(mapName, Object.fromEntries(literals.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])));
  }
  const configOf = new Map<string, string>();
  for (const deployment of deployments) {
    for (const volume of deployment.spec?.template?.spec.volumes ?? []) {
      const files = volume.configMap ? generated.get(volume.configMap.name)?.files : undefined;
      if (files?.length === 1) configOf.set(deployment.metadata.name, files[0]!);
    }
  }
  return {
    name,
    services: new Set(deployments.map((deployment) => deployment.metadata.name)),
    configOf,
    ...(secrets.size ? { secrets } : {}),
    envOf: (service) => {
      const container = deployments.find((deployment) => deployment.metadata.name === service)?.spec?.template?.spec.containers[0];
      const env: Record<string, string> = {};
      for (const from of container?.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef?.name ?? '') ?? {});
      for (const variable of container?.env ?? []) {
        const secret = variable.valueFrom?.secretKeyRef;
        env[variable.name] = secret ? `secret:${secret.name}/${secret.key}` : (variable.value ?? '');
      }
      return env;
    },
  };
}

function compose(): Shipped {
  const file = yamlAt('docker-compose.yml') as { services: Record<string, { environment?: Record<string, string>; volumes?: string[] }> };
  const configOf = new Map<string, string>();
  for (const [service, spec] of Object.entries(file.services)) {
    const mounted = (spec.volumes ?? []).map((volume) => volume.split(':')[0]!).filter((source) => source.startsWith('./deploy/compose/'));
    if (mounted.length === 1) configOf.set(service, mounted[0]!.slice(2));
  }
  return { name: 'docker compose', services: new Set(Object.keys(file.services)), configOf, envOf: (service) => ({ ...(file.services[service]?.environment ?? {}) }) };
}

const SHIPPED = [kubernetes('k8s base (and prod)', 'deploy/k8s/base'), kubernetes('k8s dev overlay', 'deploy/k8s/overlays/dev'), compose()];
const RULES = loadRules();
/** Rules into Kingdee (sink-kingdee posts them); the others name the OMS a reverse flow writes to. */
const KINGDEE_RULES = RULES.filter((rule) => rule.rule.target.kingdeeForm !== undefined);
/** The OMS writers of reverse flows (Kingdee → OMS): each runs wherever a rule targets its system. */
const OMS_SINKS: Array<{ system: string; label: string; service: string; parse: (input: unknown, source: string) => { flows: Array<{ documentType: string }>; admin: { tokens: Array<{ token: string }> } } }> = [
  { system: 'wangdiantong', label: '旺店通', service: 'sink-wangdiantong', parse: parseWdtSinkConfig },
  { system: 'jushuitan', label: '聚水潭', service: 'sink-jushuitan', parse: parseJstSinkConfig },
  { system: 'lingxing', label: '领星', service: 'sink-lingxing', parse: parseLingxingSinkConfig },
];

describe('shipped deployments run every flow that has a mapping rule', () => {
  it('reads the rules it derives its expectations from', () => {
    // If this fails, the rules moved: the checks below would expect nothing.
    expect(RULES.length).toBeGreaterThanOrEqual(8);
    // Every system a rule reads is a registered source (a registered source may have no rules yet).
    expect(RULE_SYSTEMS(RULES).filter((system) => !(system in SOURCES))).toEqual([]);
  });

  it('every canonical type a rule produces is one the sink posts, to the Kingdee form the rule names', () => {
    for (const { rule } of KINGDEE_RULES) {
      const documentType = rule.target.documentType;
      expect({ flow: rule.flow, sinkKnows: (SINK_DOCUMENT_TYPES as readonly string[]).includes(documentType) }).toEqual({ flow: rule.flow, sinkKnows: true });
      const ruleForms = rule.target.kingdeeForm!.split('/').map((form) => form.trim());
      expect({ flow: rule.flow, forms: formsOf(documentType as SinkDocumentType) }).toEqual({ flow: rule.flow, forms: ruleForms });
    }
  });

  describe.each(SHIPPED)('$name', (shipped) => {
    it('runs mapping, the sink and one source service per source system with rules', () => {
      const systems = [...new Set(RULES.map((rule) => rule.rule.source.system))];
      const expected = ['mapping', 'sink-kingdee', 'reconcile', 'console', ...systems.map((system) => SOURCES[system]?.service ?? `a source service for "${system}"`)];
      expect(expected.filter((service) => !shipped.services.has(service))).toEqual([]);
    });

    it('the sink config (valid) has a flow for exactly the canonical types the rules produce', () => {
      const path = shipped.configOf.get('sink-kingdee');
      expect(path).toBeDefined();
      const config = parseSinkConfig(yamlAt(path!), path);
      const configured = config.flows.map((flow) => flow.documentType).sort();
      const produced = [...new Set(KINGDEE_RULES.map((rule) => rule.rule.target.documentType))].sort();
      expect({ path, missing: produced.filter((type) => !configured.includes(type as SinkDocumentType)), withoutRule: configured.filter((type) => !produced.includes(type)) }).toEqual({ path, missing: [], withoutRule: [] });
    });

    it('every reverse rule targets an OMS that has a sink', () => {
      const known = OMS_SINKS.map((sink) => sink.system);
      expect(RULES.filter((rule) => targetSystems(rule.rule.target).some((system) => !known.includes(system))).map((rule) => rule.rule.flow)).toEqual([]);
    });

    it('every rule no sink posts (readBy) is read by a service that runs, and no sink is configured for its type', () => {
      const unposted = RULES.filter((rule) => rule.rule.target.readBy !== undefined);
      expect(unposted.filter((rule) => !shipped.services.has(rule.rule.target.readBy!)).map((rule) => rule.rule.flow)).toEqual([]);
      // A type one rule leaves unposted is not posted by another rule's sink either (a level, not a bill).
      const posted = RULES.filter((rule) => rule.rule.target.readBy === undefined).map((rule) => rule.rule.target.documentType);
      expect(unposted.filter((rule) => posted.includes(rule.rule.target.documentType)).map((rule) => rule.rule.flow)).toEqual([]);
    });

    it.each(OMS_SINKS)('the $label sink ($service) runs, its config (valid) has a flow for exactly the canonical types the reverse rules produce', ({ system, service, parse }) => {
      const path = shipped.configOf.get(service);
      expect({ service, path }).toEqual({ service, path: expect.stringMatching(/\.yaml$/) });
      const config = parse(yamlAt(path!), path!);
      const configured = config.flows.map((flow) => flow.documentType).sort();
      const produced = [...new Set(RULES.filter((rule) => targetSystems(rule.rule.target).includes(system)).map((rule) => rule.rule.target.documentType))].sort();
      expect({ path, configured }).toEqual({ path, configured: produced });
      for (const { token } of config.admin.tokens) expect({ path, token, provided: (shipped.envOf(service)[token.slice(4)] ?? '') !== '' }).toEqual({ path, token, provided: true });
    });

    it.each(RULE_SYSTEMS(RULES))('the %s source config (valid) runs every stream its rules consume, for every account', async (system) => {
      const source = SOURCES[system]!;
      const path = shipped.configOf.get(source.service);
      expect({ service: source.service, path }).toEqual({ service: source.service, path: expect.stringMatching(/\.yaml$/) });
      const config = await source.load(join(ROOT, path!));
      const consumed = [...new Set(RULES.filter((rule) => rule.rule.source.system === system).map((rule) => rule.rule.source.documentType))];
      for (const account of config.accounts) {
        const running = source.streams.filter((stream) => account.streams === undefined || account.streams.includes(stream.name)).map((stream) => stream.documentType);
        expect({ path, account: account.name, notRead: consumed.filter((type) => !running.includes(type)) }).toEqual({ path, account: account.name, notRead: [] });
      }
    });

    it('every admin API has at least one token, each backed by a secret the service receives', () => {
      const sinkPath = shipped.configOf.get('sink-kingdee')!;
      const sinkTokens = parseSinkConfig(yamlAt(sinkPath), sinkPath).admin.tokens;
      const mappingEnv = shipped.envOf('mapping');
      const mappingTokens = parseWith(AdminTokensTextSchema, mappingEnv.MAPPING_ADMIN_TOKENS, `${shipped.name} mapping MAPPING_ADMIN_TOKENS`);
      const reconcilePath = shipped.configOf.get('reconcile')!;
      const reconcileTokens = parseReconcileConfig(yamlAt(reconcilePath), reconcilePath).admin.tokens;
      for (const [service, tokens] of [['sink-kingdee', sinkTokens], ['mapping', mappingTokens], ['reconcile', reconcileTokens]] as const) {
        expect({ service, tokens: tokens.length > 0 }).toEqual({ service, tokens: true });
        const env = shipped.envOf(service);
        for (const { token } of tokens) {
          expect(token).toMatch(/^env:/);
          const value = env[token.slice(4)] ?? '';
          expect({ service, token, provided: value !== '' }).toEqual({ service, token, provided: true });
          // A deployment that creates its Secrets (dev) creates this one; production creates them by hand.
          if (shipped.secrets && value.startsWith('secret:')) expect({ service, token, secret: value, created: shipped.secrets.has(value.slice(7)) }).toEqual({ service, token, secret: value, created: true });
        }
      }
    });
  });

  describe.each(SHIPPED)('$name console', (shipped) => {
    it('the console config (valid) reaches the sink, mapping and reconciliation with tokens the service receives, and its users’ passwords too', () => {
      const path = shipped.configOf.get('console')!;
      const config = parseWith(ConsoleConfigSchema, yamlAt(path), path);
      const env = shipped.envOf('console');
      const references = [config.session.secret, ...config.users.map((user) => user.password), ...Object.values(config.services).map((service) => service.token)];
      for (const reference of references) {
        expect(reference).toMatch(/^env:/);
        const value = env[reference.slice(4)] ?? '';
        expect({ path, reference, provided: value !== '' }).toEqual({ path, reference, provided: true });
        if (shipped.secrets && value.startsWith('secret:')) expect({ path, reference, secret: value, created: shipped.secrets.has(value.slice(7)) }).toEqual({ path, reference, secret: value, created: true });
      }
      // The console calls each admin API with that service's own operator token.
      expect(env[config.services.sink.token.slice(4)]).toBe(shipped.envOf('sink-kingdee').SINK_ADMIN_TOKEN);
      expect(env[config.services.mapping.token.slice(4)]).toBe(shipped.envOf('mapping').MAPPING_ADMIN_TOKEN);
    });
  });

  it('the dev overlay and compose point every service at their own configs (emulators), not the production base', () => {
    for (const shipped of SHIPPED.slice(1)) {
      for (const [service, path] of shipped.configOf) expect({ service, path: dirname(path) }).not.toEqual({ service, path: 'deploy/k8s/base/config' });
    }
  });
});
