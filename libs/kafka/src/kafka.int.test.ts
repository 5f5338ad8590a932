import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { Decimal, type Logger } from '@yecai/common';
import { consumeAll, testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import { AvroSerde, KafkaClient, topics } from './index';

describe('Kafka (real broker)', () => {
  let kafka: KafkaClient;
  beforeAll(() => {
    kafka = testKafka('kafka-int');
  });
  afterAll(() => kafka.disconnect());

  it('leaves a read_committed consumer with only the committed batch when one transaction aborts', async () => {
    const topic = `${uniqueTopicPrefix('tx')}orders`;
    await kafka.ensureTopics([{ topic, numPartitions: 2 }]);
    const producer = await kafka.transactionalProducer(`${topic}-tx`);

    await expect(
      producer.inTransaction(async (tx) => {
        await tx.send({ topic, messages: [{ key: 'a1', value: 'aborted-1' }, { key: 'a2', value: 'aborted-2' }] });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    await producer.inTransaction(async (tx) => {
      await tx.send({ topic, messages: [{ key: 'c1', value: 'committed-1' }, { key: 'c2', value: 'committed-2' }] });
    });

    const committed = await consumeAll(kafka, topic, { readCommitted: true, expected: 2 });
    expect(committed.map((m) => m.value?.toString()).sort()).toEqual(['committed-1', 'committed-2']);
    // The aborted records are in the log: a read_uncommitted consumer sees them, which proves the abort was real.
    const everything = await consumeAll(kafka, topic, { readCommitted: false, expected: 4 });
    expect(everything.map((m) => m.value?.toString()).sort()).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2']);
  });

  it("a successor on the same transactional id settles its predecessor's transaction when it is created, before its first transaction", async () => {
    // What a restarted source lane relies on: it reads its checkpoint right after creating its producer. A
    // predecessor's transaction that is still open (or being committed) then must be finished or aborted already —
    // otherwise it could commit after the read, and the lane would publish those versions again.
    const topic = `${uniqueTopicPrefix('succ')}raw`;
    await kafka.ensureTopics([{ topic, numPartitions: 1 }]);
    const predecessor = await kafka.transactionalProducer(`${topic}-lane`);
    const zombie = await predecessor.producer.transaction();
    await zombie.send({ topic, messages: [{ key: 'v1', value: 'sent by the predecessor' }] });

    await kafka.transactionalProducer(`${topic}-lane`); // the successor: created, nothing sent yet

    // The predecessor can no longer commit (it is fenced), and nothing of its transaction is visible.
    await expect(zombie.commit()).rejects.toThrow();
    const admin = await kafka.admin();
    const [partition] = await admin.fetchTopicOffsets(topic); // read_committed: the last stable offset
    expect(BigInt(partition!.high)).toBeGreaterThan(0n); // the abort marker moved it past the aborted record
    expect(await consumeAll(kafka, topic, { readCommitted: true, idleMs: 1_000 })).toEqual([]);
  });

  it('back-to-back transactions (parallel lanes, each one transaction after another) commit everything and log no error', async () => {
    // A source runs one lane per stream, each committing a transaction per page; mapping one per batch. A lane's next
    // transaction starts while the coordinator still completes its previous one, and the broker answers "busy,
    // retry" (CONCURRENT_TRANSACTIONS) — routine, so a healthy service must not log it as an error.
    const lines: { level: string; message: string }[] = [];
    const capture = (level: string) => (_extra: unknown, message: string) => void lines.push({ level, message });
    const logger = { error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug') } as unknown as Logger;
    const quiet = new KafkaClient({ brokers: [testEndpoints().kafkaBrokers], clientId: 'kafka-int-quiet', logger });
    try {
      const topic = `${uniqueTopicPrefix('b2b')}pages`;
      await quiet.ensureTopics([{ topic, numPartitions: 6 }]);
      const lanes = 8;
      const pages = 10;
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          const producer = await quiet.transactionalProducer(`${topic}-lane${lane}`);
          for (let page = 0; page < pages; page += 1) {
            const messages = Array.from({ length: 6 }, (_, line) => ({ key: `l${lane}-p${page}-${line}`, value: 'x' }));
            await producer.inTransaction((tx) => tx.send({ topic, messages }));
          }
        }),
      );
      const committed = await consumeAll(quiet, topic, { readCommitted: true, expected: lanes * pages * 6 });
      expect(new Set(committed.map((m) => m.key)).size).toBe(lanes * pages * 6);
      // The situation did arise (otherwise this test proves nothing), and none of it was logged as an error.
      expect(lines.some((line) => line.message.includes('another concurrent operation on the same transaction'))).toBe(true);
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await quiet.disconnect();
    }
  });

  it('ensureTopics creates compacted topics once and leaves existing ones alone', async () => {
    const topic = `${uniqueTopicPrefix('ct')}checkpoint`;
    expect(await kafka.ensureTopics([{ topic, numPartitions: 1, compacted: true }])).toEqual([topic]);
    expect(await kafka.ensureTopics([{ topic, numPartitions: 3 }])).toEqual([]);
    const admin = await kafka.admin();
    const configs = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(1);
  });

  it('ensureTopics creates a yecai topic with its kind\'s settings when the spec names none', async () => {
    const previousPrefix = process.env.YECAI_TOPIC_PREFIX;
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('settings');
    try {
      const raw = topics.raw('testsrc', 'orders');
      const checkpoint = topics.checkpoint('source_testsrc');
      expect(await kafka.ensureTopics([{ topic: raw }, { topic: checkpoint }])).toEqual([raw, checkpoint]);
      const admin = await kafka.admin();
      const configNames = ['cleanup.policy', 'retention.ms', 'max.message.bytes'];
      const { resources } = await admin.describeConfigs({
        resources: [raw, checkpoint].map((name) => ({ type: 2 /* TOPIC */, name, configNames })),
        includeSynonyms: false,
      });
      const configOf = (name: string) =>
        Object.fromEntries((resources.find((resource) => resource.resourceName === name)?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]));
      expect(configOf(raw)).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3_600_000) });
      expect(configOf(checkpoint)).toMatchObject({ 'cleanup.policy': 'compact', 'max.message.bytes': String(8 * 1024 * 1024) });
      const metadata = await admin.fetchTopicMetadata({ topics: [raw, checkpoint] });
      const partitions = (name: string) => metadata.topics.find((entry) => entry.name === name)?.partitions.length;
      expect([partitions(raw), partitions(checkpoint)]).toEqual([6, 1]);
    } finally {
      if (previousPrefix === undefined) delete process.env.YECAI_TOPIC_PREFIX;
      else process.env.YECAI_TOPIC_PREFIX = previousPrefix;
    }
  });
});

describe('Schema registry (real Confluent-API registry)', () => {
  const schemaV1 = {
    type: 'record',
    name: 'Warehouse',
    namespace: 'yecai.test',
    fields: [
      { name: 'code', type: 'string' },
      { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
    ],
  };

  it('registers a schema through @kafkajs/confluent-schema-registry and fetches it back by id', async () => {
    const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
    const subject = `${uniqueTopicPrefix('sr')}warehouse-value`;
    const id = await serde.register(subject, schemaV1);
    const fetched = await serde.registry.getSchema(id);
    expect((fetched as unknown as { name: string }).name).toBe('yecai.test.Warehouse');

    const encoded = await serde.encode(id, { code: 'WH-01', price: new Decimal('12.30') });
    expect(encoded[0]).toBe(0); // Confluent wire format magic byte
    expect(encoded.readInt32BE(1)).toBe(id);
    const decoded = await serde.decode<{ code: string; price: Decimal }>(encoded);
    expect(decoded.price).toBeInstanceOf(Decimal);
    expect(decoded.price.toFixed(2)).toBe('12.30');
  });

  it('refuses an incompatible change under BACKWARD compatibility', async () => {
    const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
    const subject = `${uniqueTopicPrefix('sr')}warehouse-value`;
    await serde.register(subject, schemaV1);
    // A new required field without a default cannot read old data: BACKWARD-incompatible.
    const incompatible = { ...schemaV1, fields: [...schemaV1.fields, { name: 'org', type: 'string' }] };
    await expect(serde.register(subject, incompatible)).rejects.toThrow(/incompatible|409/i);
    // The compatible version (a default) is accepted and gets its own id.
    const compatible = { ...schemaV1, fields: [...schemaV1.fields, { name: 'org', type: 'string', default: '100' }] };
    const { id } = await serde.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(compatible) }, { subject });
    expect(id).toBeGreaterThan(0);
  });
});
