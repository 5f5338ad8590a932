/**
 * `defineSource({...})`: a source declares what is truly its own — name, account config schema, transport
 * factory, streams — and gets the rest from the kit: config loading (file + environment overrides), the service
 * wiring (transports, runtimes, Kafka, metrics), `main` (live / --check / --once / --backfill, ops server,
 * health) and the backfill and replay hooks. services/source-jushuitan/src/source.ts is the reference.
 */
import { z } from 'zod';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import {
  ValidationError,
  createLogger,
  createMetricsRegistry,
  parseBeijingTime,
  parseWith,
  readConfigFile,
  type Logger,
} from '@yecai/common';
import { SyncEvents } from './events';
import type { RateLimits } from './rate-limit';
import { SourceRuntime, type SourceAccount } from './runtime';
import { SourceRuntimeGroup } from './runtime-group';
import { runSourceMain, type SourceServiceHandle } from './source-main';
import { sourceKafkaEndpoints, sourceServiceConfigFields } from './source-config';
import type { StreamDefinition } from './stream';
import type { SourceTransport } from './transport';

/** What every account of every source has (the kit reads these; the rest is the source's own). */
export interface SourceAccountBase {
  /** Account name used in document keys, checkpoint keys and metric labels: `[a-z0-9_-]+`, not a secret. */
  name: string;
  /** Where a stream without a checkpoint starts, Beijing time `yyyy-MM-dd HH:mm:ss`. */
  startAt: string;
  streams?: string[] | undefined;
  rateLimits: RateLimits;
}

/** The service-level settings every source shares (sourceServiceConfigFields). */
export interface SourceServiceSettings {
  service: string;
  kafkaBrokers?: string[] | undefined;
  schemaRegistryUrl?: string | undefined;
  opsPort: number;
  pollIntervalSeconds: number;
  windowMinutes?: number | undefined;
  overlapMinutes?: number | undefined;
  retry: { maxAttempts?: number | undefined; initialDelayMs?: number | undefined; maxDelayMs?: number | undefined };
}

export type SourceConfig<Account extends SourceAccountBase> = SourceServiceSettings & { accounts: Account[] };

export interface WindowOverrides {
  windowMinutes?: number;
  overlapMinutes?: number;
}

export interface SourceDeclaration<Account extends SourceAccountBase, Transport extends SourceTransport> {
  /** System name: raw topics `raw.<system>.<documentType>`, `[a-z0-9_]`. */
  system: string;
  /** Default ops port (/healthz /readyz /metrics); each source has its own so they can share a host. */
  opsPort: number;
  /** Largest `windowMinutes` override the source's APIs accept. */
  maxWindowMinutes: number;
  /** Environment variable that may hold the config path, e.g. `YECAI_JST_CONFIG`; its stem prefixes the overrides. */
  configEnv: string;
  /** zod schema of one account (its secrets as `env:` / `file:` references). */
  account: z.ZodType<Account, unknown>;
  /**
   * Every stream the source has (deploy checks, docs), or a function of the runtime group and the config's window
   * overrides when the definitions differ per group (旺店通 editions). Default overrides: applied to every
   * modified-time stream as given.
   */
  streams: readonly StreamDefinition[] | ((group: string, overrides: WindowOverrides) => StreamDefinition[]);
  /** Runtime group of an account, when accounts of one source need different stream definitions. */
  group?(account: Account): string;
  /** Every group `group()` can answer (with a function for `streams`): lists the streams for deploy checks and docs. */
  groups?: readonly string[];
  /** One transport per account; `index` names config fields in errors (`accounts.<index>.appSecret`). */
  createTransport(account: Account, index: number, logger: Logger): Transport;
  /** Per-stream start overrides (epoch ms), e.g. master data from years ago; parse errors name the field. */
  streamStartAtMs?(account: Account, index: number): Record<string, number> | undefined;
  /** Extra labels on the transport's log lines (never secrets). */
  logLabels?(account: Account): Record<string, string>;
}

export interface SourceService<Transport extends SourceTransport> extends SourceServiceHandle {
  runtime: SourceRuntimeGroup;
  transports: Map<string, Transport>;
  kafka: KafkaClient;
  metrics: ReturnType<typeof createMetricsRegistry>;
  close(): Promise<void>;
}

export interface CreateServiceOptions {
  /** Wraps each account's transport (tests inject bad answers between the API and the kit). */
  wrapTransport?: (transport: SourceTransport, account: string) => SourceTransport;
}

export interface DefinedSource<Account extends SourceAccountBase, Transport extends SourceTransport> {
  readonly declaration: SourceDeclaration<Account, Transport>;
  /** `source_<system>`: checkpoint topic, transactional ids, metric prefix. */
  readonly serviceName: string;
  /** `source-<system>`: logs, image, deployment. */
  readonly deploymentName: string;
  readonly configSchema: z.ZodType<SourceConfig<Account>, unknown>;
  /** Every stream of every group (deploy checks, docs). */
  readonly allStreams: StreamDefinition[];
  /** Environment variable → config field it overrides. */
  readonly envOverrides: Record<string, keyof SourceServiceSettings>;
  /** Schema plus what zod cannot express (unique names, real Beijing times); errors name the field. */
  validateConfig(raw: unknown, source: string): SourceConfig<Account>;
  /** Reads a YAML/JSON file, applies the environment overrides, validates. */
  loadConfig(path: string, env?: NodeJS.ProcessEnv): Promise<SourceConfig<Account>>;
  /** One transport per account, secrets resolved; needs no Kafka (used by `--check`). */
  createTransports(config: SourceConfig<Account>, logger?: Logger): Map<string, Transport>;
  /** Wires config → transports → kit runtimes. No Kafka I/O happens until start()/runOnce()/backfill(). */
  createService(
    config: SourceConfig<Account>,
    logger?: Logger,
    options?: CreateServiceOptions,
  ): SourceService<Transport>;
  /** The command line (main.ts is one call of this). */
  main(): void;
  /** The config reference, generated from the schema (`--config-reference`). */
  configReference(): string;
}

const SINGLE_GROUP = 'default';

/** Stream definitions with the config's window and overlap overrides applied to modified-time streams. */
export function applyWindowOverrides(
  streams: readonly StreamDefinition[],
  overrides: WindowOverrides,
): StreamDefinition[] {
  return streams.map((stream) =>
    stream.cursor.kind === 'modified_time'
      ? {
          ...stream,
          cursor: {
            ...stream.cursor,
            ...(overrides.windowMinutes !== undefined
              ? { windowMs: Math.round(overrides.windowMinutes * 60_000) }
              : {}),
            ...(overrides.overlapMinutes !== undefined
              ? { overlapMs: Math.round(overrides.overlapMinutes * 60_000) }
              : {}),
          },
        }
      : stream,
  );
}

const OVERRIDABLE: Array<[keyof SourceServiceSettings, 'string' | 'number' | 'list']> = [
  ['service', 'string'],
  ['opsPort', 'number'],
  ['pollIntervalSeconds', 'number'],
  ['windowMinutes', 'number'],
  ['overlapMinutes', 'number'],
  ['kafkaBrokers', 'list'],
  ['schemaRegistryUrl', 'string'],
];

const screaming = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

export function defineSource<Account extends SourceAccountBase, Transport extends SourceTransport>(
  declaration: SourceDeclaration<Account, Transport>,
): DefinedSource<Account, Transport> {
  const { system } = declaration;
  if (!/^[a-z0-9_]+$/.test(system))
    throw new ValidationError(`defineSource: system "${system}" is not [a-z0-9_]+`, 'system');
  if (!declaration.configEnv.endsWith('_CONFIG'))
    throw new ValidationError(`defineSource: configEnv "${declaration.configEnv}" must end with _CONFIG`, 'configEnv');
  const serviceName = `source_${system}`;
  const deploymentName = `source-${system.replace(/_/g, '-')}`;
  const configSchema = z.object({
    ...sourceServiceConfigFields({
      service: serviceName,
      opsPort: declaration.opsPort,
      maxWindowMinutes: declaration.maxWindowMinutes,
    }),
    accounts: z
      .array(declaration.account)
      .min(1)
      .describe('One entry per company account (see the account fields below).'),
  }) as unknown as z.ZodType<SourceConfig<Account>, unknown>;
  const envStem = declaration.configEnv.slice(0, -'CONFIG'.length);
  const envOverrides = Object.fromEntries(OVERRIDABLE.map(([field]) => [`${envStem}${screaming(field)}`, field]));

  const streamsOf = (group: string, overrides: WindowOverrides): StreamDefinition[] =>
    typeof declaration.streams === 'function'
      ? declaration.streams(group, overrides)
      : applyWindowOverrides(declaration.streams, overrides);
  const overridesOf = (config: SourceServiceSettings): WindowOverrides => ({
    ...(config.windowMinutes !== undefined ? { windowMinutes: config.windowMinutes } : {}),
    ...(config.overlapMinutes !== undefined ? { overlapMinutes: config.overlapMinutes } : {}),
  });

  const validateConfig = (raw: unknown, source: string): SourceConfig<Account> => {
    const config = parseWith(configSchema, raw, source);
    const names = new Set<string>();
    config.accounts.forEach((account, index) => {
      if (names.has(account.name))
        throw new ValidationError(
          `${source}: accounts.${index}.name "${account.name}" is used twice`,
          `accounts.${index}.name`,
        );
      names.add(account.name);
      parseBeijingTime(account.startAt, `accounts.${index}.startAt`);
      declaration.streamStartAtMs?.(account, index);
    });
    return config;
  };

  const withEnvOverrides = (raw: unknown, env: NodeJS.ProcessEnv): unknown => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
    const merged: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const [name, kind] of OVERRIDABLE) {
      const variable = `${envStem}${screaming(name)}`;
      const value = env[variable];
      if (value === undefined || value === '') continue;
      if (kind === 'number') {
        const number = Number(value);
        if (!Number.isFinite(number))
          throw new ValidationError(`${variable}: "${value}" is not a number (${name})`, name);
        merged[name] = number;
      } else
        merged[name] =
          kind === 'list'
            ? value
                .split(',')
                .map((item) => item.trim())
                .filter(Boolean)
            : value;
    }
    return merged;
  };

  const createTransports = (config: SourceConfig<Account>, logger: Logger = createLogger(config.service)) => {
    const transports = new Map<string, Transport>();
    config.accounts.forEach((account, index) => {
      const labels = { account: account.name, ...declaration.logLabels?.(account) };
      transports.set(account.name, declaration.createTransport(account, index, logger.child(labels)));
    });
    return transports;
  };

  const createService = (
    config: SourceConfig<Account>,
    logger: Logger = createLogger(config.service),
    options: CreateServiceOptions = {},
  ): SourceService<Transport> => {
    const { brokers, registryUrl } = sourceKafkaEndpoints(config);
    const transports = createTransports(config, logger);
    const kafka = new KafkaClient({ brokers, clientId: config.service, logger });
    const serde = new AvroSerde(registryUrl);
    const metrics = createMetricsRegistry(config.service);
    const events = new SyncEvents();
    const accountsByGroup = new Map<string, SourceAccount[]>();
    config.accounts.forEach((account, index) => {
      const group = declaration.group?.(account) ?? SINGLE_GROUP;
      const transport = transports.get(account.name)!;
      const streamStartAtMs = declaration.streamStartAtMs?.(account, index);
      const accounts = accountsByGroup.get(group) ?? [];
      accounts.push({
        name: account.name,
        transport: options.wrapTransport ? options.wrapTransport(transport, account.name) : transport,
        limits: account.rateLimits,
        startAtMs: parseBeijingTime(account.startAt, `accounts.${index}.startAt`),
        ...(streamStartAtMs ? { streamStartAtMs } : {}),
        ...(account.streams ? { streams: account.streams } : {}),
      });
      accountsByGroup.set(group, accounts);
    });
    const byGroup = new Map<string, SourceRuntime>();
    for (const [group, accounts] of accountsByGroup) {
      byGroup.set(
        group,
        new SourceRuntime({
          service: config.service,
          system,
          streams: streamsOf(group, overridesOf(config)),
          accounts,
          kafka,
          serde,
          pollIntervalMs: config.pollIntervalSeconds * 1000,
          retry: config.retry,
          events,
          // Metrics are fed by the shared events: registered once.
          ...(byGroup.size === 0 ? { metrics } : {}),
          logger,
        }),
      );
    }
    const runtime = new SourceRuntimeGroup(byGroup, events);
    return {
      runtime,
      transports,
      kafka,
      metrics,
      close: async () => {
        await runtime.stop();
        await kafka.disconnect();
      },
    };
  };

  const configReference = () =>
    renderConfigReference(configSchema, envOverrides, declaration.configEnv, deploymentName);

  const defined: DefinedSource<Account, Transport> = {
    declaration,
    serviceName,
    deploymentName,
    configSchema,
    get allStreams() {
      const streams = declaration.streams;
      if (typeof streams !== 'function') return [...streams];
      const byName = new Map(
        (declaration.groups ?? [SINGLE_GROUP]).flatMap((group) => streams(group, {})).map((s) => [s.name, s]),
      );
      return [...byName.values()];
    },
    envOverrides: envOverrides as Record<string, keyof SourceServiceSettings>,
    validateConfig,
    loadConfig: async (path, env = process.env) =>
      validateConfig(withEnvOverrides(readConfigFile(path), env), `config ${path}`),
    createTransports,
    createService,
    main: () =>
      runSourceMain({
        service: deploymentName,
        configEnv: declaration.configEnv,
        loadConfig: (path) => defined.loadConfig(path),
        createTransports: (config, logger) => createTransports(config, logger),
        createService: (config, logger) => createService(config, logger),
        configReference,
      }),
    configReference,
  };
  return defined;
}

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
}

/** A Markdown table of every config field (type, default, environment override, description) from the schema. */
export function renderConfigReference(
  schema: z.ZodType,
  envOverrides: Record<string, string>,
  configEnv: string,
  name: string,
): string {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const envOf = new Map(Object.entries(envOverrides).map(([variable, field]) => [field, variable]));
  const lines = [
    `# ${name} config`,
    '',
    `File: --config <path> or ${configEnv}. YAML or JSON; secrets as env:NAME or file:/path.`,
    '',
    '| field | type | default | env override | description |',
    '|---|---|---|---|---|',
  ];
  const typeOf = (node: JsonSchemaNode): string => {
    if (node.const !== undefined) return JSON.stringify(node.const);
    if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' \\| ');
    if (node.anyOf ?? node.oneOf) return (node.anyOf ?? node.oneOf)!.map(typeOf).join(' \\| ');
    const type = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
    return type === 'array' && node.items ? `${typeOf(node.items)}[]` : type;
  };
  const walk = (node: JsonSchemaNode, prefix: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = `${prefix}${key}`;
      const required = node.required?.includes(key) && child.default === undefined;
      lines.push(
        `| \`${path}\`${required ? ' (required)' : ''} | ${typeOf(child)} | ${child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``} | ${envOf.get(path) ?? ''} | ${child.description ?? ''} |`,
      );
      if (child.properties) walk(child, `${path}.`);
      const element = child.items;
      if (element?.properties) walk(element, `${path}[].`);
      for (const variant of element?.anyOf ?? element?.oneOf ?? []) if (variant.properties) walk(variant, `${path}[].`);
    }
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}
