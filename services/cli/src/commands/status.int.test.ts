/**
 * `yecai status` lag on transactional topics (every yecai topic is written in transactions), and the operator
 * commands finding the last `yecai run` without flags — real broker and MongoDB-wire server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics, type KafkaClient } from '@yecai/kafka';
import { ParkingStore } from '@yecai/parking';
import { testEndpoints, testKafka, testMongo, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { writeCurrentRun } from './current-run';
import { parkedCommand, pendingCommand } from './exceptions';
import { consumerLag, statusCommand } from './status';

describe('yecai status (real broker, transactional producer)', () => {
  let kafka: KafkaClient;
  beforeAll(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('lag');
    kafka = testKafka('status-int');
  });
  afterAll(async () => {
    await kafka.disconnect();
    delete process.env.YECAI_TOPIC_PREFIX;
  });

  it('shows lag 0 once a consumer has read everything, and N with N messages unread — markers do not count', async () => {
    const topic = topics.canonical('lagcount');
    const groupId = uniqueName('yecai-lagtx');
    await kafka.ensureTopics([{ topic, numPartitions: 1 }]);
    const producer = await kafka.transactionalProducer(uniqueName('lag-tx'));
    const send = (count: number, tag: string) =>
      producer.inTransaction((tx) => tx.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `${tag}${i}` })) }).then(() => undefined));
    await send(3, 'a');
    await send(2, 'b');
    await send(4, 'c');

    const consumer = kafka.consumer({ groupId });
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void (seen += 1) });
    await waitFor(() => seen === 9, '9 messages consumed');
    await consumer.disconnect(); // commits what it consumed
    const admin = await kafka.admin();
    const [committed] = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions;
    const [mark] = await admin.fetchTopicOffsets(topic);
    // The situation under test: the commit marker after the last message sits between the committed offset and the end.
    expect(BigInt(committed!.offset)).toBeLessThan(BigInt(mark!.high));
    expect((await consumerLag(kafka, { group: groupId }))[0]).toMatchObject({ topic, lag: 0n, approximate: false });

    await send(2, 'd');
    await send(3, 'e');
    await producer.inTransaction(async (tx) => {
      await tx.send({ topic, messages: [{ value: 'aborted' }] });
      throw new Error('abort on purpose');
    }).catch(() => undefined);
    expect((await consumerLag(kafka, { group: groupId }))[0]).toMatchObject({ topic, lag: 5n });
    await producer.disconnect();

    const lines: string[] = [];
    await statusCommand([], { brokers: testEndpoints().kafkaBrokers, group: groupId }, (line) => lines.push(line));
    expect(lines.find((line) => line.includes(topic))).toMatch(/\s5$/);
  });
});

describe('operator commands find the last `yecai run` without flags', () => {
  let db: Db;
  let close: () => Promise<void>;
  let kafka: KafkaClient;
  const saved = { stackDir: process.env.YECAI_STACK_DIR, prefix: process.env.YECAI_TOPIC_PREFIX, db: process.env.MONGODB_DB };

  beforeAll(async () => {
    ({ db, close } = await testMongo('cli_current_run'));
    kafka = testKafka('current-run-int');
    process.env.YECAI_STACK_DIR = mkdtempSync(join(tmpdir(), 'yecai-stack-state-'));
    delete process.env.YECAI_TOPIC_PREFIX;
    delete process.env.MONGODB_DB;
  });
  afterAll(async () => {
    await close();
    await kafka.disconnect();
    for (const [name, value] of [['YECAI_STACK_DIR', saved.stackDir], ['YECAI_TOPIC_PREFIX', saved.prefix], ['MONGODB_DB', saved.db]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('parked, pending and status read the run\'s database and prefix, and say which run they read', async () => {
    const prefix = uniqueTopicPrefix('currentrun');
    writeCurrentRun({
      runId: '20261206120000',
      topicPrefix: prefix,
      mongoDb: db.databaseName,
      kafkaBrokers: testEndpoints().kafkaBrokers,
      mongodbUri: testEndpoints().mongodbUri,
      workDir: '/tmp/none',
      pid: process.pid,
      startedAt: new Date().toISOString(),
      state: 'running',
    });
    await new ParkingStore(db).park({
      stage: 'mapping',
      flow: 'jushuitan/sales_outstock',
      key: 'jushuitan/demo/sales_outstock/1',
      level: 2,
      code: 'MISSING_MASTER_DATA',
      reasonZh: '仓库 100004 没有金蝶仓库映射',
      reasonEn: 'warehouse 100004 has no Kingdee warehouse mapping',
      raw: { io_id: 1 },
      source: { topic: `${prefix}raw.jushuitan.sales_outstock`, partition: 0, offset: '7' },
    });
    // A group of the run reading a topic of the run, one message behind.
    const topic = `${prefix}raw.jushuitan.sales_outstock`;
    await kafka.ensureTopics([{ topic, numPartitions: 1 }]);
    const producer = await kafka.producer();
    await producer.send({ topic, messages: [{ value: 'x' }] });
    const groupId = uniqueName('yecai-mapping-run');
    await (await kafka.admin()).setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });

    const output = async (command: typeof parkedCommand, flags: Record<string, string> = {}) => {
      const lines: string[] = [];
      await command([], flags, (line) => lines.push(line));
      return lines.join('\n');
    };
    const mongoFlags = { 'mongodb-uri': testEndpoints().mongodbUri };
    const parked = await output(parkedCommand, mongoFlags);
    expect(parked).toContain(`yecai run 20261206120000（运行中 running）: --db ${db.databaseName} --prefix ${prefix}`);
    expect(parked).toContain('仓库 100004 没有金蝶仓库映射');
    expect(await output(pendingCommand, mongoFlags)).toContain(`--db ${db.databaseName}`);
    const status = await output(statusCommand, { brokers: testEndpoints().kafkaBrokers, group: groupId });
    expect(status).toContain(`--prefix ${prefix}`);
    expect(status.split('\n').find((line) => line.includes(topic))).toMatch(/\s1$/);

    // Named explicitly, another database wins, and a miss names the run's database.
    const other = await output(parkedCommand, { ...mongoFlags, db: 'yecai_nothing_here' });
    expect(other).not.toContain('读取最近一次运行');
    expect(other).toContain(`最近一次运行 the last yecai run 20261206120000`);
  });
});
