/**
 * Mapping throughput per replica, exactly-once on, against a pass-through of the same messages.
 *
 *   npx tsx bench/mapping-bench.ts [--documents 20000] [--partitions 6] [--chunk <service default>] [--concurrency <service default>]
 *     [--workers <service default>]   (transform worker threads of the replica; 0 = map in the Kafka thread)
 *
 * Uses KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGODB_URI when set, else the local stack (`./yecai stack up`).
 * Both runs use one replica (this process) and the same TransactionalProcessor (one transaction per chunk,
 * input offsets inside it); the pass-through copies each raw message unchanged, the mapping run decodes Avro,
 * applies the JST sales out-stock rules (3 lines, lookups served by the master-data cache) and encodes the
 * canonical event. Rate = documents / (last commit − first commit start), so group joins are not counted.
 * Two in-process figures without Kafka show what bounds the mapping run: the service's transform alone (Avro decode,
 * rules, Avro encode of the same messages, one chunk after another) and the rule engine alone (rules + cached lookups).
 */
import { parseArgs } from 'node:util';
import { connectMongo } from '@yecai/store';
import { Registry } from 'prom-client';
import { KafkaClient, TransactionalProcessor, AvroSerde, topics } from '@yecai/kafka';
import { MasterDataStore } from '@yecai/master-data';
import { LocalStack, cacheDir, defaultStateDir, repoRoot } from '@yecai/stack';
import { CachedMasterDataLookup } from '@yecai/master-data';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, DEFAULT_TRANSFORM_WORKERS } from '../services/mapping/src/defaults';
import { MappingService } from '../services/mapping/src/service';
import { MappingEngine, type RawInput } from '../services/mapping/src/rules/engine';
import { loadRules } from '../services/mapping/src/rules/load-rules';
import { jstSalesOutStock } from '../services/mapping/src/rules/test-fixtures';
import { RawPublisher } from '../services/mapping/src/test-support';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows, formatCount } from './lib/results';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '6' },
    chunk: { type: 'string', default: String(DEFAULT_CHUNK_SIZE) },
    concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
    workers: { type: 'string', default: String(DEFAULT_TRANSFORM_WORKERS) },
  },
});
const documents = Number(values.documents);
const partitions = Number(values.partitions);
const chunk = Number(values.chunk);
const concurrency = Number(values.concurrency);
const workers = wholeNumberFlag('workers', values.workers, 0);
for (const [name, value] of Object.entries({ documents, partitions, chunk, concurrency })) {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: not a positive integer`);
}

class Clock {
  first = Number.POSITIVE_INFINITY;
  last = 0;
  done = 0;
  commit(inputCount: number, ms: number): void {
    const now = Date.now();
    this.first = Math.min(this.first, now - ms);
    this.last = now;
    this.done += inputCount;
  }
  rate(): number {
    return this.done / ((this.last - this.first) / 1000);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CPU seconds (user + system) this process spent since `since`, group joins and start-up included. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Documents per second of wall time, and per second of this process's CPU time (steadier on a shared machine). */
async function perSecond(count: number, work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: count / (Number(process.hrtime.bigint() - started) / 1e9), cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

async function main(): Promise<void> {
  const root = repoRoot();
  const endpoints =
    process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.MONGODB_URI
      ? { kafkaBrokers: process.env.KAFKA_BROKERS, schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL, mongodbUri: process.env.MONGODB_URI }
      : await new LocalStack({ root, cacheDir: cacheDir(root), stateDir: defaultStateDir(root) }).up();
  const run = Date.now().toString(36);
  process.env.YECAI_TOPIC_PREFIX = `bench-mapping-${run}.`;
  const kafka = new KafkaClient({ brokers: [endpoints.kafkaBrokers], clientId: `mapping-bench-${run}` });
  const mongo = await connectMongo(endpoints.mongodbUri, { appName: 'mapping-bench' });
  const db = mongo.db(`bench_mapping_${run}`);
  try {
    const store = new MasterDataStore(db);
    await store.ensureIndexes();
    await store.upsert('shop', [{ sourceSystem: 'jushuitan', shopCode: '10086', customerNumber: 'C10086', deliveryOrg: '101' }]);
    await store.upsert('warehouse', [{ sourceSystem: 'jushuitan', sourceCode: '100001', kingdeeStockNumber: 'CK01', stockOrg: '100' }]);
    await store.upsert('sku', ['A001-RED-M', 'G002-BLK', 'X003'].map((skuCode) => ({ sourceSystem: 'jushuitan', skuCode, materialNumber: `M-${skuCode}`, unit: 'Pcs' })));
    await store.upsert('currency', [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001' }]);

    const rawTopic = topics.raw('jushuitan', 'sales_outstock');
    const passTopic = `${process.env.YECAI_TOPIC_PREFIX}bench.passthrough`;
    await kafka.ensureTopics([rawTopic, passTopic, topics.canonical('sales_outstock')].map((topic) => ({ topic, numPartitions: partitions })));
    const serde = new AvroSerde(endpoints.schemaRegistryUrl);
    const publisher = new RawPublisher(kafka, serde);
    const loadStarted = Date.now();
    const encoded: { key: string; value: Buffer }[] = [];
    for (let start = 0; start < documents; start += 5000) {
      const batch = [];
      for (let i = start; i < Math.min(documents, start + 5000); i += 1) batch.push(await publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 70_000_000 + i })));
      await publisher.publish(batch);
      encoded.push(...batch);
    }
    const payloadBytes = encoded[0]!.value.length;
    process.stdout.write(`loaded ${documents} raw documents (${payloadBytes} bytes each) in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s\n`);

    // 1. Pass-through: the same messages copied unchanged, exactly-once on.
    const passClock = new Clock();
    const pass = new TransactionalProcessor({
      kafka,
      groupId: `bench-pass-${run}`,
      topics: [rawTopic],
      transactionalIdPrefix: `bench-pass-${run}`,
      maxChunkSize: chunk,
      partitionsConsumedConcurrently: concurrency,
      transform: async ({ messages }) => messages.map((message) => ({ topic: passTopic, key: message.key!.toString(), value: message.value! })),
      onCommitted: ({ inputCount, ms }) => passClock.commit(inputCount, ms),
    });
    const passCpu = process.cpuUsage();
    await pass.start();
    await until(() => passClock.done >= documents, 'pass-through');
    const passCpuSeconds = cpuSeconds(passCpu);
    await pass.stop();

    // 2. Mapping: decode, rules, lookups, encode, exactly-once on.
    const mapClock = new Clock();
    let produced = 0;
    const service = new MappingService({
      kafka,
      registryUrl: endpoints.schemaRegistryUrl,
      db,
      rules: loadRules(),
      metricsRegistry: new Registry(),
      groupId: `bench-map-${run}`,
      numPartitions: partitions,
      maxChunkSize: chunk,
      partitionsConsumedConcurrently: concurrency,
      transformWorkers: workers,
      mongodbUri: endpoints.mongodbUri,
      reprocessIntervalMs: 0,
      onCommitted: ({ inputCount, outputCount, ms }) => {
        mapClock.commit(inputCount, ms);
        produced += outputCount;
      },
    });
    const mapCpu = process.cpuUsage();
    await service.start();
    await until(() => mapClock.done >= documents, 'mapping');
    const mapCpuSeconds = cpuSeconds(mapCpu);
    await service.stop();
    if (produced !== documents) throw new Error(`mapping produced ${produced} canonical events for ${documents} documents`);

    // 3. The service's transform alone (Avro decode, rules, Avro encode), no Kafka: the same messages, chunk by chunk.
    const transformRate = await perSecond(documents, async () => {
      for (let start = 0; start < documents; start += chunk) {
        const messages = encoded.slice(start, start + chunk).map((message, index) => ({ key: Buffer.from(message.key), value: message.value, offset: String(start + index), timestamp: '0', attributes: 0, headers: {} }));
        const outputs = await service.transform({ topic: rawTopic, partition: 0, messages });
        if (outputs.length !== messages.length) throw new Error(`transform mapped ${outputs.length} of ${messages.length} documents`);
      }
    });

    // 4. The rule engine alone: rules and cached master-data lookups on parsed envelopes.
    const engine = new MappingEngine(loadRules(), { lookup: new CachedMasterDataLookup(store, { maxStalenessMs: 60_000 }) });
    const inputs: RawInput[] = [];
    for (let i = 0; i < documents; i += 1) {
      const payload = JSON.stringify(jstSalesOutStock({ io_id: 70_000_000 + i }));
      inputs.push({ sourceSystem: 'jushuitan', account: 'main', documentType: 'sales_outstock', sourceId: String(70_000_000 + i), sourceModifiedAt: 0, contentHash: 'h', payload, rawTopic, rawPartition: 0, rawOffset: i });
    }
    await engine.map(inputs[0]!);
    const engineRate = await perSecond(documents, async () => {
      for (const input of inputs) {
        const [outcome] = await engine.map(input);
        if (outcome?.kind !== 'mapped') throw new Error(`engine did not map ${input.sourceId}: ${JSON.stringify(outcome)}`);
      }
    });

    const setup = `1 replica, ${partitions} partitions, ${chunk} docs per transaction, ${concurrency} partitions in parallel, ${workers} transform workers, exactly-once`;
    const line = (what: string, rate: number, seconds: string) => `| ${what} | ${documents} | ${formatCount(rate)} | ${seconds} |`;
    const seconds = (clock: Clock) => `${((clock.last - clock.first) / 1000).toFixed(1)} s`;
    const perDocument = (cpuSeconds: number) => `${((cpuSeconds / documents) * 1e6).toFixed(0)} µs/doc`;
    process.stdout.write(
      [
        '',
        `| run (${setup}) | documents | docs/s | time / CPU |`,
        '|---|---|---|---|',
        line('pass-through consume→produce (same messages, unchanged)', passClock.rate(), `${seconds(passClock)} / ${passCpuSeconds.toFixed(1)} CPU-s (${perDocument(passCpuSeconds)})`),
        line('mapping: Avro decode, JST sales out-stock rules + lookups, Avro encode', mapClock.rate(), `${seconds(mapClock)} / ${mapCpuSeconds.toFixed(1)} CPU-s (${perDocument(mapCpuSeconds)})`),
        line('transform alone, no Kafka (Avro decode, rules, Avro encode; 1 core)', transformRate.wall, `${formatCount(transformRate.cpu)} per CPU-s`),
        line('rule engine alone, no Kafka (rules + cached lookups; 1 core)', engineRate.wall, `${formatCount(engineRate.cpu)} per CPU-s`),
        '',
        `lookup cache: ${service.lookup.hits} hits, ${service.lookup.misses} misses`,
        '',
      ].join('\n'),
    );
    const note = `${documents} docs of ${payloadBytes} B, ${setup}`;
    emitBenchRows([
      { stage: 'mapping', measure: 'mapping per replica, exactly-once', value: `${formatCount(mapClock.rate())} docs/s`, target: '≥ 20,000 docs/s', note: `${note}; replica process ${mapCpuSeconds.toFixed(1)} CPU-s` },
      { stage: 'mapping', measure: 'exactly-once pass-through, same messages', value: `${formatCount(passClock.rate())} docs/s`, note: `${note}; replica process ${passCpuSeconds.toFixed(1)} CPU-s` },
      { stage: 'mapping', measure: 'transform alone (no Kafka)', value: `${formatCount(transformRate.wall)} docs/s`, note: `Avro decode + rules + Avro encode, one core; ${formatCount(transformRate.cpu)} docs per CPU-second` },
      { stage: 'mapping', measure: 'rule engine alone (no Kafka)', value: `${formatCount(engineRate.wall)} docs/s`, note: `rules + cached lookups, one core; ${formatCount(engineRate.cpu)} docs per CPU-second` },
    ]);
  } finally {
    await kafka.disconnect();
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

main().catch((error) => {
  process.stderr.write(`mapping bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
