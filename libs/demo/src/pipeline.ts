import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { stringify as toYaml } from 'yaml';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { JST_ENDPOINTS, startJushuitanEmulator, type JstEmulator, type JstFaults, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { startKingdeeEmulator, type Faults as KingdeeFaults, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { MasterDataStore, type EntityName } from '@yecai/master-data';
import { loadRules } from '@yecai/mapping';
import { repoRoot } from '@yecai/stack';
import { connectMongo } from '@yecai/store';
import { ServiceProcess } from './service-process';
import { demoWorld, type DemoWorld, type DemoWorldOptions } from './demo-world';

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
  const { client: mongo } = await connectMongo(options.endpoints.mongodbUri, { appName: 'yecai-demo' });
  const mongoDb = options.mongoDb ?? 'yecai';
  const db = mongo.db(mongoDb);
  const store = new MasterDataStore(db);
  await store.ensureIndexes();
  for (const [entity, records] of Object.entries(masterData) as [EntityName, unknown[]][]) {
    await store.upsert(entity, records, `demo master data ${entity}`);
  }

  mkdirSync(options.workDir, { recursive: true });
  const app = kingdeeFixture.apps[0]!;
  // Runs sharing a broker (test files in parallel) must not share consumer groups: a group spanning two runs hands
  // one run's partitions to the other run's process. One group per topic prefix.
  const groupSuffix = options.topicPrefix ? `-${options.topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}` : '';
  const sinkConfig = {
    groupId: `yecai-sink-kingdee${groupSuffix}`,
    kingdee: {
      ...demoKingdeeConnection(kingdee.url, kingdeeFixture),
      limits: { callsPerSecond: options.kingdeeCallsPerSecond ?? 50, maxConcurrent: 4 },
      timeoutMs: 10_000,
    },
    flows: source.sinkFlows.map((documentType) => ({ documentType })),
    batchSize: 50,
    probeIntervalMs: 1_000,
    schedulerIntervalMs: 1_000,
    level2RetryDelaysMs: [2_000, 5_000, 10_000],
    staleInFlightMs: 15_000,
    admin: { tokens: [{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }] },
  };
  const sourceConfigPath = join(options.workDir, `${source.name}.yaml`);
  const sinkConfigPath = join(options.workDir, 'sink-kingdee.yaml');
  writeFileSync(sourceConfigPath, toYaml(source.config));
  writeFileSync(sinkConfigPath, toYaml(sinkConfig));

  const common: NodeJS.ProcessEnv = {
    ...source.env,
    [DEMO_KINGDEE_SECRET_ENV]: app.appSecret,
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
        // The same operator token as the sink's admin API.
        MAPPING_ADMIN_TOKENS: JSON.stringify([{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }]),
      },
      logFile: join(logs, 'mapping.log'),
      opsPort: mappingPort,
      supervise: true,
    }),
    sink: new ServiceProcess({
      name: 'sink-kingdee',
      main: SERVICE_MAINS.sink,
      env: { ...common, SINK_CONFIG: sinkConfigPath, SINK_OPS_PORT: String(sinkPort) },
      logFile: join(logs, 'sink-kingdee.log'),
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

/**
 * The whole JST → Kingdee pipeline on real Kafka / registry / MongoDB: both emulators in this process, the three
 * services as child processes (so they can be SIGKILLed and restarted like pods).
 */
export class Pipeline {
  private constructor(
    readonly options: PipelineOptions,
    readonly world: DemoWorld,
    readonly jst: JstEmulator,
    readonly kingdee: KingdeeEmulator,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly mongo: MongoClient,
    readonly db: Db,
    readonly seededPerType: Partial<Record<JstDocumentType, number>>,
  ) {}

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const world = demoWorld(options.world);
    const day = options.day ?? yesterdayInBeijing();
    const perType = world.businessDay(options.documents);
    const rateLimits = options.jstRateLimits ?? { perSecond: 5, perMinute: 100 };
    const kingdee = await startKingdeeEmulator({ seed: world.kingdeeFixture, ...(options.kingdeeFaults ? { faults: options.kingdeeFaults } : {}) });
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
    const { services, mongo, db } = await launchServices(options, kingdee, world.kingdeeFixture, world.masterData, {
      name: 'source-jushuitan',
      main: SERVICE_MAINS.source,
      config: sourceConfig,
      env: SECRET_ENV,
      sinkFlows: SINK_FLOWS,
    });
    return new Pipeline(options, world, jst, kingdee, services, mongo, db, perType);
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
    await Promise.allSettled([this.jst.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}
