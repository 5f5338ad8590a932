import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { stringify as toYaml } from 'yaml';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { JST_ENDPOINTS, startJushuitanEmulator, type JstEmulator, type JstFaults, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { startKingdeeEmulator, type Faults as KingdeeFaults, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { EMULATOR_CREDENTIALS, startYonyouEmulator, type YonyouEmulator, type YonyouFaults } from '@yecai/emulator-yonyou';
import { MasterDataStore, type EntityName } from '@yecai/master-data';
import { loadRules } from '@yecai/mapping';
import { repoRoot } from '@yecai/stack';
import { connectMongo } from '@yecai/store';
import { ServiceProcess } from './service-process';
import { demoWorld, type DemoWorld, type DemoWorldOptions } from './demo-world';
import { JST_FLOWS, type SourceFlow } from './summary';
import {
  DEMO_YONYOU_SECRET_ENV,
  demoYonyouConnection,
  targetDocuments,
  yonyouReferences,
  yonyouSinkFlows,
  type FinanceTarget,
} from './targets';

export interface PipelineEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongodbUri: string;
}

export interface PipelineOptions {
  endpoints: PipelineEndpoints;
  /** Configs, logs and token files of this run. */
  workDir: string;
  /** Size of the business day the JST emulator holds. */
  documents: number;
  /** The business day (epoch ms); default: yesterday, Beijing time. */
  day?: { fromMs: number; toMs: number };
  topicPrefix?: string;
  mongoDb?: string;
  world?: DemoWorldOptions;
  jstFaults?: JstFaults;
  kingdeeFaults?: KingdeeFaults;
  /** JST's documented budget is 5 calls/s and 100/min per app; the demo may raise both (emulator and client alike). */
  jstRateLimits?: { perSecond: number; perMinute: number };
  /** Kingdee calls per second the sink may make. */
  kingdeeCallsPerSecond?: number;
  /** The finance system the sink posts to: sink-kingdee + the Kingdee emulator (default), or sink-yonyou + the YonSuite emulator. */
  target?: FinanceTarget;
  yonyouFaults?: Partial<YonyouFaults>;
  /** YonSuite calls per minute per API, for the emulator and the sink's client alike (YonSuite's free quota: 60). */
  yonyouCallsPerMinute?: number;
  logLevel?: string;
}

/** Canonical document types the JST rules emit (read from the rules themselves), each posted by the sink. */
export const SINK_FLOWS = [
  ...new Set(loadRules().filter((compiled) => compiled.rule.source.system === 'jushuitan').map((compiled) => compiled.rule.target.documentType)),
];

const ROOT = repoRoot(__dirname);
export const SERVICE_MAINS = {
  source: join(ROOT, 'services/source-jushuitan/src/main.ts'),
  mapping: join(ROOT, 'services/mapping/src/main.ts'),
  sink: join(ROOT, 'services/sink-kingdee/src/main.ts'),
} as const;
export type ServiceName = keyof typeof SERVICE_MAINS;
/** The sink of each finance target. */
export const SINK_MAINS: Record<FinanceTarget, string> = {
  kingdee: SERVICE_MAINS.sink,
  yonyou: join(ROOT, 'services/sink-yonyou/src/main.ts'),
};

/** Secrets reach the services as environment variables referenced from their configs, never inline. */
const SECRET_ENV = {
  YECAI_DEMO_JST_APP_SECRET: 'sk_test',
  YECAI_DEMO_JST_ACCESS_TOKEN: 'at_test',
  YECAI_DEMO_JST_REFRESH_TOKEN: 'rt_test',
};

export function yesterdayInBeijing(now = Date.now()): { fromMs: number; toMs: number } {
  const beijingOffsetMs = 8 * 3_600_000;
  const startOfTodayBeijing = Math.floor((now + beijingOffsetMs) / 86_400_000) * 86_400_000 - beijingOffsetMs;
  return { fromMs: startOfTodayBeijing - 86_400_000, toMs: startOfTodayBeijing - 1_000 };
}

/** The source service of a pipeline run: its main, its config (with `opsPort`), secrets, and what the sink posts. */
export interface SourceLaunch {
  name: string;
  main: string;
  config: { opsPort: number } & Record<string, unknown>;
  /** Secrets the source config references (env:NAME). */
  env: Record<string, string>;
  /** Canonical document types the sink posts. */
  sinkFlows: readonly string[];
}

/** The variable holding the emulator's app secret: connection configs reference secrets, never inline them. */
export const DEMO_KINGDEE_SECRET_ENV = 'YECAI_DEMO_KINGDEE_APP_SECRET';

/**
 * The connection to the Kingdee emulator as the demo's 账套 defines it (the sink's, and an in-process client's such
 * as the go-live reconciliation); the secret is read from DEMO_KINGDEE_SECRET_ENV.
 */
export function demoKingdeeConnection(serverUrl: string, kingdeeFixture: DemoWorld['kingdeeFixture']): Record<string, unknown> {
  const app = kingdeeFixture.apps[0]!;
  return {
    name: 'demo',
    serverUrl,
    acctId: app.acctIds[0],
    userName: app.users[0],
    auth: { mode: 'signature', appId: app.appId, appSecret: `env:${DEMO_KINGDEE_SECRET_ENV}` },
  };
}

/** The sink service of a pipeline run: its process name, main, config and the secrets the config references. */
export interface SinkLaunch {
  name: string;
  /** A finance sink's system: the mapping's park reasons name it (MAPPING_FINANCE_TARGET); OMS sinks leave it out. */
  financeTarget?: 'kingdee' | 'yonyou';
  main: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
}

/**
 * Runs sharing a broker (test files in parallel) must not share consumer groups: a group spanning two runs hands one
 * run's partitions to the other run's process. One group per topic prefix.
 */
function groupSuffixOf(topicPrefix: string | undefined): string {
  return topicPrefix ? `-${topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}` : '';
}

/** What both sinks share in a demo run: small batches, quick probes and retries, the demo operator's admin token. */
const DEMO_POSTING_SETTINGS = {
  batchSize: 50,
  probeIntervalMs: 1_000,
  schedulerIntervalMs: 1_000,
  level2RetryDelaysMs: [2_000, 5_000, 10_000],
  staleInFlightMs: 15_000,
  admin: { tokens: [{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }] },
};

/** sink-kingdee against the Kingdee emulator, posting `flows`. */
export function kingdeeSinkLaunch(
  options: Pick<PipelineOptions, 'topicPrefix' | 'kingdeeCallsPerSecond'>,
  kingdee: KingdeeEmulator,
  kingdeeFixture: DemoWorld['kingdeeFixture'],
  flows: readonly string[],
): SinkLaunch {
  return {
    name: 'sink-kingdee',
    financeTarget: 'kingdee',
    main: SINK_MAINS.kingdee,
    config: {
      groupId: `yecai-sink-kingdee${groupSuffixOf(options.topicPrefix)}`,
      kingdee: {
        ...demoKingdeeConnection(kingdee.url, kingdeeFixture),
        limits: { callsPerSecond: options.kingdeeCallsPerSecond ?? 50, maxConcurrent: 4 },
        timeoutMs: 10_000,
      },
      flows: flows.map((documentType) => ({ documentType })),
      ...DEMO_POSTING_SETTINGS,
    },
    env: { [DEMO_KINGDEE_SECRET_ENV]: kingdeeFixture.apps[0]!.appSecret },
  };
}

/** sink-yonyou against the YonSuite emulator, posting those of `flows` YonSuite has a form map for. */
export function yonyouSinkLaunch(
  options: Pick<PipelineOptions, 'topicPrefix' | 'yonyouCallsPerMinute'>,
  yonyou: YonyouEmulator,
  flows: readonly string[],
): SinkLaunch {
  return {
    name: 'sink-yonyou',
    financeTarget: 'yonyou',
    main: SINK_MAINS.yonyou,
    config: {
      groupId: `yecai-sink-yonyou${groupSuffixOf(options.topicPrefix)}`,
      yonyou: demoYonyouConnection(yonyou.url, options.yonyouCallsPerMinute ?? 60),
      flows: yonyouSinkFlows(flows),
      ...DEMO_POSTING_SETTINGS,
    },
    env: { [DEMO_YONYOU_SECRET_ENV]: EMULATOR_CREDENTIALS.appSecret },
  };
}

/**
 * What every pipeline run shares, whichever source feeds it: master data seeded into MongoDB, the sink's config for
 * the Kingdee emulator, and the three services as supervised child processes, started downstream first.
 */
export async function launchServices(
  options: Pick<PipelineOptions, 'endpoints' | 'workDir' | 'topicPrefix' | 'mongoDb' | 'kingdeeCallsPerSecond' | 'logLevel'>,
  kingdee: KingdeeEmulator,
  kingdeeFixture: DemoWorld['kingdeeFixture'],
  masterData: Partial<Record<EntityName, unknown[]>>,
  source: SourceLaunch,
): Promise<{ services: Record<ServiceName, ServiceProcess>; mongo: MongoClient; db: Db }> {
  return launchPipelineServices(options, masterData, source, kingdeeSinkLaunch(options, kingdee, kingdeeFixture, source.sinkFlows));
}

/** As launchServices, with any sink (sink-kingdee or sink-yonyou). */
export async function launchPipelineServices(
  options: Pick<PipelineOptions, 'endpoints' | 'workDir' | 'topicPrefix' | 'mongoDb' | 'logLevel'>,
  masterData: Partial<Record<EntityName, unknown[]>>,
  source: SourceLaunch,
  sink: SinkLaunch,
): Promise<{ services: Record<ServiceName, ServiceProcess>; mongo: MongoClient; db: Db }> {
  const { client: mongo } = await connectMongo(options.endpoints.mongodbUri, { appName: 'yecai-demo' });
  const mongoDb = options.mongoDb ?? 'yecai';
  const db = mongo.db(mongoDb);
  const store = new MasterDataStore(db);
  await store.ensureIndexes();
  for (const [entity, records] of Object.entries(masterData) as [EntityName, unknown[]][]) {
    await store.upsert(entity, records, `demo master data ${entity}`);
  }

  mkdirSync(options.workDir, { recursive: true });
  const groupSuffix = groupSuffixOf(options.topicPrefix);
  const sourceConfigPath = join(options.workDir, `${source.name}.yaml`);
  const sinkConfigPath = join(options.workDir, `${sink.name}.yaml`);
  writeFileSync(sourceConfigPath, toYaml(source.config));
  writeFileSync(sinkConfigPath, toYaml(sink.config));

  const common: NodeJS.ProcessEnv = {
    ...source.env,
    ...sink.env,
    YECAI_DEMO_ADMIN_TOKEN: 'demo-operator-token',
    KAFKA_BROKERS: options.endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: options.endpoints.schemaRegistryUrl,
    MONGODB_URI: options.endpoints.mongodbUri,
    MONGODB_DB: mongoDb,
    YECAI_TOPIC_PREFIX: options.topicPrefix ?? process.env.YECAI_TOPIC_PREFIX ?? 'yecai.',
    LOG_LEVEL: options.logLevel ?? 'info',
  };
  const logs = join(options.workDir, 'logs');
  const mappingPort = await getFreePort();
  const sinkPort = await getFreePort();
  const services: Record<ServiceName, ServiceProcess> = {
    source: new ServiceProcess({
      name: source.name,
      main: source.main,
      args: ['--config', sourceConfigPath],
      env: common,
      logFile: join(logs, `${source.name}.log`),
      opsPort: source.config.opsPort,
      supervise: true,
    }),
    mapping: new ServiceProcess({
      name: 'mapping',
      main: SERVICE_MAINS.mapping,
      env: {
        ...common,
        MAPPING_OPS_PORT: String(mappingPort),
        MAPPING_REPROCESS_INTERVAL_MS: '5000',
        MAPPING_GROUP_ID: `yecai-mapping${groupSuffix}`,
        ...(sink.financeTarget ? { MAPPING_FINANCE_TARGET: sink.financeTarget } : {}),
        // The same operator token as the sink's admin API.
        MAPPING_ADMIN_TOKENS: JSON.stringify([{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }]),
      },
      logFile: join(logs, 'mapping.log'),
      opsPort: mappingPort,
      supervise: true,
    }),
    sink: new ServiceProcess({
      name: sink.name,
      main: sink.main,
      env: { ...common, SINK_CONFIG: sinkConfigPath, SINK_OPS_PORT: String(sinkPort) },
      logFile: join(logs, `${sink.name}.log`),
      opsPort: sinkPort,
      supervise: true,
    }),
  };
  // Supervised like pods: a service that exits (a failed start, a kill) is started again.
  // Downstream first, so nothing waits on a consumer that is not there yet.
  for (const name of ['sink', 'mapping', 'source'] as const) {
    services[name].start();
    await services[name].waitReady(120_000);
  }
  return { services, mongo, db };
}

/** The finance system of a run and its emulator. */
type TargetEmulator = { kingdee: KingdeeEmulator } | { yonyou: YonyouEmulator };

/**
 * The whole JST → Kingdee pipeline on real Kafka / registry / MongoDB: both emulators in this process, the three
 * services as child processes (so they can be SIGKILLed and restarted like pods). With `target: 'yonyou'` the sink is
 * sink-yonyou against the YonSuite emulator instead; everything upstream is the same.
 */
export class Pipeline {
  private constructor(
    readonly options: PipelineOptions,
    readonly world: DemoWorld,
    readonly jst: JstEmulator,
    private readonly targetEmulator: TargetEmulator,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly mongo: MongoClient,
    readonly db: Db,
    readonly seededPerType: Partial<Record<JstDocumentType, number>>,
  ) {}

  get target(): FinanceTarget {
    return 'kingdee' in this.targetEmulator ? 'kingdee' : 'yonyou';
  }

  get kingdee(): KingdeeEmulator {
    if (!('kingdee' in this.targetEmulator)) throw new Error('this pipeline posts to YonSuite: it has no Kingdee emulator');
    return this.targetEmulator.kingdee;
  }

  get yonyou(): YonyouEmulator {
    if (!('yonyou' in this.targetEmulator)) throw new Error('this pipeline posts to Kingdee: it has no YonSuite emulator');
    return this.targetEmulator.yonyou;
  }

  /** Canonical types the sink posts (YonSuite: those it has a form map for; the others stay on their topics). */
  get sinkFlows(): string[] {
    if (this.target === 'kingdee') return SINK_FLOWS;
    return yonyouSinkFlows(SINK_FLOWS).map((flow) => String(flow.documentType));
  }

  /** The JST flows as this run's sink sees them: canonical types it does not post are left out. */
  get flows(): SourceFlow[] {
    const posted = this.sinkFlows;
    return JST_FLOWS.map((flow) => ({ ...flow, sourceType: flow.jstType, canonicals: flow.canonicals.filter((type) => posted.includes(type)) }));
  }

  /** The collection prefix of the sink's ledger (`sink_kingdee` / `sink_yonyou`). */
  get ledgerPrefix(): string {
    return this.target === 'kingdee' ? 'sink_kingdee' : 'sink_yonyou';
  }

  /** Every document in the target system, per form and document number, with how many documents carry it. */
  targetDocuments(): Map<string, Map<string, number>> {
    return targetDocuments(this.targetEmulator);
  }

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const world = demoWorld(options.world);
    const day = options.day ?? yesterdayInBeijing();
    const perType = world.businessDay(options.documents);
    const rateLimits = options.jstRateLimits ?? { perSecond: 5, perMinute: 100 };
    const targetEmulator: TargetEmulator =
      options.target === 'yonyou'
        ? {
            yonyou: await startYonyouEmulator({
              references: yonyouReferences({ materialMissing: options.world?.materialMissingInKingdee ?? true }),
              ...(options.world?.openingStock !== undefined ? { openingStock: options.world.openingStock } : {}),
              callsPerMinute: options.yonyouCallsPerMinute ?? 60,
              ...(options.yonyouFaults ? { faults: options.yonyouFaults } : {}),
            }),
          }
        : { kingdee: await startKingdeeEmulator({ seed: world.kingdeeFixture, ...(options.kingdeeFaults ? { faults: options.kingdeeFaults } : {}) }) };
    const jst = await startJushuitanEmulator({
      documents: { perType, fromMs: day.fromMs, toMs: day.toMs },
      rateLimits,
      ...(options.jstFaults ? { faults: options.jstFaults } : {}),
    });
    const sourceConfig = {
      service: 'source_jushuitan',
      opsPort: await getFreePort(),
      pollIntervalSeconds: 2,
      accounts: [
        {
          name: 'demo',
          baseUrl: jst.url,
          appKey: 'ak_test',
          appSecret: 'env:YECAI_DEMO_JST_APP_SECRET',
          accessToken: 'env:YECAI_DEMO_JST_ACCESS_TOKEN',
          refreshToken: 'env:YECAI_DEMO_JST_REFRESH_TOKEN',
          tokenFile: join(options.workDir, 'jst-tokens.json'),
          startAt: formatBeijingTime(day.fromMs),
          rateLimits,
        },
      ],
    };
    const sink =
      'kingdee' in targetEmulator
        ? kingdeeSinkLaunch(options, targetEmulator.kingdee, world.kingdeeFixture, SINK_FLOWS)
        : yonyouSinkLaunch(options, targetEmulator.yonyou, SINK_FLOWS);
    const { services, mongo, db } = await launchPipelineServices(
      options,
      world.masterData,
      { name: 'source-jushuitan', main: SERVICE_MAINS.source, config: sourceConfig, env: SECRET_ENV, sinkFlows: SINK_FLOWS },
      sink,
    );
    return new Pipeline(options, world, jst, targetEmulator, services, mongo, db, perType);
  }

  /**
   * Documents of the day the source's queries return, per type. Some JST endpoints return one status unless asked for
   * another (purchase in-stock: Confirmed); the others are in `notRequested`.
   */
  available(): Record<string, number> {
    return Object.fromEntries(this.types().map((type) => [type, this.jst.store.versions(type).filter((version) => this.served(type, version.status)).length]));
  }

  /** Documents of the day no query returns (other statuses), per type and status: held in JST, not synced by design. */
  notRequested(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const type of this.types()) {
      for (const { status } of this.jst.store.versions(type).filter((version) => !this.served(type, version.status))) {
        (result[type] ??= {})[status] = (result[type]?.[status] ?? 0) + 1;
      }
    }
    return result;
  }

  private types(): JstDocumentType[] {
    return Object.keys(this.seededPerType) as JstDocumentType[];
  }

  private served(type: JstDocumentType, status: string): boolean {
    const defaultStatus = JST_ENDPOINTS[type].defaultStatus;
    return defaultStatus === undefined || status === defaultStatus;
  }

  async stop(): Promise<void> {
    for (const name of ['source', 'mapping', 'sink'] as const) await this.services[name].dispose();
    const target = 'kingdee' in this.targetEmulator ? this.targetEmulator.kingdee : this.targetEmulator.yonyou;
    await Promise.allSettled([this.jst.close(), target.close()]);
    await this.mongo.close();
  }
}
