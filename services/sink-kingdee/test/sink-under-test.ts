/** Boots the sink in-process over the harness's real Kafka, schema registry and FerretDB, against an emulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsRegistry, getFreePort, resolveAdminTokens, startOpsServer, withRetry, type OpsServer } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde, type KafkaClient } from '@yecai/kafka';
import { loadCanonicalSchema } from '@yecai/contracts';
import { ServiceProcess, canonicalProducer, type CanonicalProducer, testEndpoints, testKafka, testMongo, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { mountSinkAdmin, type LedgerEntry, type LedgerState } from '@yecai/sink-kit';
import { parseSinkConfig, type SinkConfigInput } from '../src/config';
import type { SinkDocumentType } from '../src/master-data';
import { SinkService } from '../src/service';
import { FIXTURE, kingdeeConfig } from './fixtures';

export const TOKENS = { viewer: 'viewer-token-1234', operator: 'operator-token-5678' };
process.env.SINK_TEST_VIEWER_TOKEN = TOKENS.viewer;
process.env.SINK_TEST_OPERATOR_TOKEN = TOKENS.operator;

export interface SinkUnderTest {
  service: SinkService;
  ops: OpsServer;
  db: Db;
  kafka: KafkaClient;
  serde: AvroSerde;
  baseUrl: string;
  /** Encodes canonical events with the registered canonical schema and produces them keyed by document identity. */
  produce(documentType: SinkDocumentType, events: Record<string, unknown>[]): Promise<void>;
  entries(filter?: Record<string, unknown>): Promise<LedgerEntry[]>;
  /** `<billNo>:<event>` for every ledger transition of every document. */
  events(): Promise<string[]>;
  waitForStates(expected: Partial<Record<LedgerState, number>>, what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export type SinkOverrides = Partial<Omit<SinkConfigInput, 'kingdee'>> & { kingdee?: Record<string, unknown> };

/** Config of a sink against `emulator` (the crash test writes the same config to a file for a child process). */
export function sinkConfigFor(emulator: KingdeeEmulator, overrides: SinkOverrides = {}): SinkConfigInput {
  const { kingdee, ...rest } = overrides;
  return {
    kingdee: kingdeeConfig(emulator, kingdee ?? {}),
    flows: [{ documentType: 'sales_outstock' }],
    groupId: `sink-test-${Math.random().toString(16).slice(2, 10)}`,
    batchSize: 10,
    level2RetryDelaysMs: [60_000],
    probeIntervalMs: 500,
    schedulerIntervalMs: 300,
    admin: {
      tokens: [
        { name: 'alice', role: 'viewer', token: 'env:SINK_TEST_VIEWER_TOKEN' },
        { name: 'bob', role: 'operator', token: 'env:SINK_TEST_OPERATOR_TOKEN' },
      ],
    },
    ...rest,
  };
}

export function useUniqueTopicPrefix(): string {
  const prefix = uniqueTopicPrefix('sink');
  process.env.YECAI_TOPIC_PREFIX = prefix;
  return prefix;
}

/** The harness's canonical producer (kept under this name for the sink's tests and benchmarks). */
export async function producerFor(kafka: KafkaClient, serde: AvroSerde): Promise<CanonicalProducer> {
  return canonicalProducer(kafka, serde);
}

export async function startSinkUnderTest(emulator: KingdeeEmulator, overrides: SinkOverrides = {}, options: { partitions?: number } = {}): Promise<SinkUnderTest> {
  const kafka = testKafka();
  if (options.partitions !== undefined) {
    // One partition puts every document of a test into the same Kafka batch, hence the same BatchSave.
    const flows = overrides.flows ?? [{ documentType: 'sales_outstock' as const }];
    const specs = flows.map((flow) => ({ topic: loadCanonicalSchema(flow.documentType).topic, numPartitions: options.partitions }));
    await withRetry(() => kafka.ensureTopics(specs), { maxAttempts: 8, initialDelayMs: 250, shouldRetry: () => true });
  }
  const mongo = await testMongo('sink');
  const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
  const registry = createMetricsRegistry('sink-kingdee-test');
  const config = parseSinkConfig(sinkConfigFor(emulator, overrides), 'test sink config');
  const service = new SinkService({ config, kafka, serde, db: mongo.db, metricsRegistry: registry });
  const ops = await startOpsServer({ port: 0, registry, isReady: () => service.isReady, mount: (app) => mountSinkAdmin(app, service, resolveAdminTokens(config.admin.tokens, 'admin.tokens')) });
  await service.start();
  const produce = canonicalProducer(kafka, serde);
  const entries = (filter: Record<string, unknown> = {}) => service.ledger.current(filter);
  return {
    service,
    ops,
    db: mongo.db,
    kafka,
    serde,
    baseUrl: `http://127.0.0.1:${ops.port}`,
    produce,
    entries,
    async events() {
      const all = await entries();
      const histories = await Promise.all(all.map(async (entry) => (await service.ledger.history(entry._id)).map((step) => `${entry.billNo}:${step.event}`)));
      return histories.flat();
    },
    async waitForStates(expected, what, timeoutMs = 60_000) {
      await waitFor(async () => {
        const all = await entries();
        return Object.entries(expected).every(([state, count]) => all.filter((entry) => entry.state === state).length === count);
      }, what, timeoutMs).catch(async (error: Error) => {
        const all = await entries();
        const summary = all.map((entry) => `${entry.billNo}:${entry.state}:${entry.stage}:${entry.problem?.message ?? ''}`).join('\n');
        throw new Error(`${error.message}\nledger now:\n${summary}`);
      });
    },
    async stop() {
      await service.stop();
      await ops.close();
      await kafka.disconnect();
      await mongo.close();
    },
  };
}

/** Bills in the emulator whose number starts with `prefix`, per form. */
/** Downstream (下推) bills of `formId` per source bill number: the statuses of the bills whose lines name it. */
export function downstreamOf(emulator: KingdeeEmulator, formId: string): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const bill of emulator.state.billsOf(formId).values()) {
    const sources = new Set(bill.entries.map((row) => String(row.fields.FSourceBillNo ?? '')));
    for (const source of sources) bySource.set(source, [...(bySource.get(source) ?? []), bill.status]);
  }
  return bySource;
}

export function billsIn(emulator: KingdeeEmulator, formId: string, prefix: string) {
  return [...emulator.state.billsOf(formId).values()].filter((bill) => bill.billNo.startsWith(prefix));
}

/**
 * The sink as a real child process (its main.ts) over the harness's endpoints and `db`, with `config` written to a
 * temporary file: for tests that SIGKILL it. Its log is `<dir>/sink.log`.
 */
export async function sinkChildProcess(config: SinkConfigInput, db: Db, name: string): Promise<{ sink: ServiceProcess; port: number; dir: string }> {
  const endpoints = testEndpoints();
  const port = await getFreePort();
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const configPath = join(dir, 'sink.json');
  writeFileSync(configPath, JSON.stringify(config));
  const sink = new ServiceProcess({
    name: 'sink-kingdee',
    main: join(__dirname, '..', 'src', 'main.ts'),
    env: {
      SINK_CONFIG: configPath,
      KAFKA_BROKERS: endpoints.kafkaBrokers,
      SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DB: db.databaseName,
      SINK_OPS_PORT: String(port),
      SINK_TEST_KD_SECRET: FIXTURE.appSecret,
      LOG_LEVEL: 'warn',
    },
    logFile: join(dir, 'sink.log'),
    opsPort: port,
  });
  return { sink, port, dir };
}
