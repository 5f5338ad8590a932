/**
 * Mapping throughput per replica, exactly-once on, against a pass-through of the same messages.
 *
 *   npx tsx bench/mapping-bench.ts [--documents 20000] [--partitions 6] [--chunk 500]
 *
 * Uses KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGODB_URI when set, else the local stack (`./yecai stack up`).
 * Both runs use one replica (this process) and the same TransactionalProcessor (one transaction per chunk,
 * input offsets inside it); the pass-through copies each raw message unchanged, the mapping run decodes Avro,
 * applies the JST sales out-stock rules (3 lines, lookups served by the master-data cache) and encodes the
 * canonical event. Rate = documents / (last commit − first commit start), so group joins are not counted.
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { KafkaClient, TransactionalProcessor, AvroSerde, topics } from '@yecai/kafka';
import { MasterDataStore } from '@yecai/master-data';
import { LocalStack, cacheDir, defaultStateDir, repoRoot } from '@yecai/stack';
import { MappingService } from '../services/mapping/src/service';
import { loadRules } from '../services/mapping/src/rules/load-rules';
import { jstSalesOutStock } from '../services/mapping/src/rules/test-fixtures';
import { RawPublisher } from '../services/mapping/src/test-support';

const { values } = parseArgs({ options: { documents: { type: 'string', default: '20000' }, partitions: { type: 'string', default: '6' }, chunk: { type: 'string', default: '500' } } });
const documents = Number(values.documents);
const partitions = Number(values.partitions);
const chunk = Number(values.chunk);
for (const [name, value] of Object.entries({ documents, partitions, chunk })) {
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

async function main(): Promise<void> {
  const root = repoRoot();
  const endpoints =
    process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.MONGODB_URI
      ? { kafkaBrokers: process.env.KAFKA_BROKERS, schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL, mongodbUri: process.env.MONGODB_URI }
      : await new LocalStack({ root, cacheDir: cacheDir(root), stateDir: defaultStateDir(root) }).up();
  const run = Date.now().toString(36);
  process.env.YECAI_TOPIC_PREFIX = `bench-mapping-${run}.`;
  const kafka = new KafkaClient({ brokers: [endpoints.kafkaBrokers], clientId: `mapping-bench-${run}` });
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
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
    for (let start = 0; start < documents; start += 5000) {
      const batch = [];
      for (let i = start; i < Math.min(documents, start + 5000); i += 1) batch.push(await publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 70_000_000 + i })));
      await publisher.publish(batch);
    }
    const payloadBytes = (await publisher.encode('sales_outstock', jstSalesOutStock())).value.length;
    process.stdout.write(`loaded ${documents} raw documents (${payloadBytes} bytes each) in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s\n`);

    // 1. Pass-through: the same messages copied unchanged, exactly-once on.
    const passClock = new Clock();
    const pass = new TransactionalProcessor({
      kafka,
      groupId: `bench-pass-${run}`,
      topics: [rawTopic],
      transactionalIdPrefix: `bench-pass-${run}`,
      maxChunkSize: chunk,
      transform: async ({ messages }) => messages.map((message) => ({ topic: passTopic, key: message.key!.toString(), value: message.value! })),
      onCommitted: ({ inputCount, ms }) => passClock.commit(inputCount, ms),
    });
    await pass.start();
    await until(() => passClock.done >= documents, 'pass-through');
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
      reprocessIntervalMs: 0,
      onCommitted: ({ inputCount, outputCount, ms }) => {
        mapClock.commit(inputCount, ms);
        produced += outputCount;
      },
    });
    await service.start();
    await until(() => mapClock.done >= documents, 'mapping');
    await service.stop();
    if (produced !== documents) throw new Error(`mapping produced ${produced} canonical events for ${documents} documents`);

    const line = (what: string, clock: Clock) => `| ${what} | ${documents} | ${Math.round(clock.rate()).toLocaleString('en-US')} | ${((clock.last - clock.first) / 1000).toFixed(1)} s |`;
    process.stdout.write(
      [
        '',
        `| run (1 replica, ${partitions} partitions, ${chunk} docs per transaction, exactly-once) | documents | docs/s | time |`,
        '|---|---|---|---|',
        line('pass-through consume→produce (same messages, unchanged)', passClock),
        line('mapping: Avro decode, JST sales out-stock rules + lookups, Avro encode', mapClock),
        '',
        `lookup cache: ${service.lookup.hits} hits, ${service.lookup.misses} misses`,
        '',
      ].join('\n'),
    );
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
