import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MasterDataStore } from '@yecai/master-data';
import { AvroSerde, topics } from '@yecai/kafka';
import { consumeAll, testEndpoints, testKafka, testMongo, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { jstSalesOutStock } from './rules/test-fixtures';
import { RawPublisher } from './test-support';

const ROOT = join(__dirname, '..', '..', '..');
// Enough small transactions (10,000 documents in chunks of 50) that kills land mid-backlog even now that a replica
// maps thousands of documents per second: with 3,000 in chunks of 200 the first kill came after the last commit.
const TOTAL = 10_000;

/**
 * The exactly-once proof: the mapping service (a real child process) is killed with SIGKILL several times while
 * it works through a backlog; afterwards the canonical topic, read_committed, holds every document exactly once.
 */
describe('mapping service under kill -9', () => {
  jest.setTimeout(900_000);
  const kafka = testKafka('mapping-kill9');
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  const prefix = uniqueTopicPrefix('k9');
  const groupId = uniqueName('mapping-k9');
  let child: ChildProcess | undefined;
  const serviceLog: string[] = [];

  afterAll(async () => {
    child?.kill('SIGKILL');
    await kafka.disconnect();
    await mongo?.close();
  });

  function startService(): ChildProcess {
    const endpoints = testEndpoints();
    // node itself, not the tsx wrapper: SIGKILL must hit the service (killing the wrapper left the service running).
    const process_ = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'mapping', 'src', 'main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: endpoints.kafkaBrokers,
        SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
        MONGODB_URI: endpoints.mongodbUri,
        MONGODB_DB: mongo.db.databaseName,
        YECAI_TOPIC_PREFIX: prefix,
        MAPPING_GROUP_ID: groupId,
        MAPPING_OPS_PORT: '0',
        MAPPING_PARTITIONS: '3',
        MAPPING_CHUNK_SIZE: '50',
        MAPPING_SESSION_TIMEOUT_MS: '6000',
        MAPPING_REPROCESS_INTERVAL_MS: '0',
        LOG_LEVEL: 'info',
        JEST_WORKER_ID: '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    process_.stderr?.on('data', (chunk: Buffer) => serviceLog.push(chunk.toString()));
    return process_;
  }

  async function committed(): Promise<number> {
    const admin = await kafka.admin();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topics.raw('jushuitan', 'sales_outstock')] }).catch(() => []);
    return offsets[0]?.partitions.reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0) ?? 0;
  }

  it('leaves the canonical topic with every document exactly once after repeated SIGKILLs', async () => {
    process.env.YECAI_TOPIC_PREFIX = prefix;
    mongo = await testMongo('mapping_k9');
    const store = new MasterDataStore(mongo.db);
    await store.ensureIndexes();
    await store.upsert('shop', [{ sourceSystem: 'jushuitan', shopCode: '10086', customerNumber: 'C10086', deliveryOrg: '101' }]);
    await store.upsert('warehouse', [{ sourceSystem: 'jushuitan', sourceCode: '100001', kingdeeStockNumber: 'CK01', stockOrg: '100' }]);
    await store.upsert('sku', ['A001-RED-M', 'G002-BLK', 'X003'].map((skuCode) => ({ sourceSystem: 'jushuitan', skuCode, materialNumber: `M-${skuCode}`, unit: 'Pcs' })));
    await store.upsert('currency', [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001' }]);

    const rawTopic = topics.raw('jushuitan', 'sales_outstock');
    await kafka.ensureTopics([{ topic: rawTopic, numPartitions: 3 }, { topic: topics.canonical('sales_outstock'), numPartitions: 3 }]);
    const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
    const publisher = new RawPublisher(kafka, serde);
    const messages = [];
    for (let i = 0; i < TOTAL; i += 1) messages.push(await publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 50_000_000 + i })));
    // In slices: one produce request of all of them would exceed the broker's message.max.bytes.
    for (let i = 0; i < messages.length; i += 1000) await publisher.publish(messages.slice(i, i + 1000));

    const kills: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      child = startService();
      const before = await committed();
      // Kill once this instance has committed something, at a random moment inside its next transactions. Generous:
      // the child compiles and starts in this time, and a loaded CI machine once took more than 90 s for that.
      await waitFor(async () => (await committed()) > before, `round ${round} progress`, 180_000);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      kills.push(await committed());
      if (kills.at(-1)! >= TOTAL) break;
    }
    expect(kills.length).toBeGreaterThanOrEqual(2);
    expect(kills.at(0)!).toBeLessThan(TOTAL); // the first kill landed mid-backlog

    child = startService();
    await waitFor(async () => (await committed()) === TOTAL, 'all raw offsets committed', 180_000);
    child.kill('SIGTERM');

    const canonical = await consumeAll(kafka, topics.canonical('sales_outstock'), { readCommitted: true, expected: TOTAL, timeoutMs: 90_000 });
    const billNumbers = await Promise.all(canonical.map(async (message) => (await serde.decode<{ billNumber: string }>(message.value!)).billNumber));
    if (billNumbers.length !== TOTAL) process.stdout.write(serviceLog.join('').split('\n').filter((line) => /skipped|aborted|warn|error/i.test(line)).join('\n'));
    expect(billNumbers).toHaveLength(TOTAL); // no duplicate
    expect(new Set(billNumbers).size).toBe(TOTAL);
    expect([...new Set(billNumbers)].sort()).toEqual(Array.from({ length: TOTAL }, (_, i) => String(50_000_000 + i)).sort()); // no gap
    // The aborted transactions' records really were written (and hidden): read_uncommitted sees at least as many.
    const everything = await consumeAll(kafka, topics.canonical('sales_outstock'), { readCommitted: false, idleMs: 3000 });
    expect(everything.length).toBeGreaterThanOrEqual(TOTAL);
    const skips = serviceLog.join('').split('\n').filter((line) => line.includes('skipped input already committed')).length;
    process.stdout.write(
      `kill -9 proof: committed offsets at each kill ${kills.join(', ')}; ${everything.length - TOTAL} aborted records hidden from read_committed; ${skips} re-delivered batches skipped\n`,
    );
  });
});
